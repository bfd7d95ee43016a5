/** peakready's version, shown by --version and written into every journal. */
export const VERSION = '0.1.0';
