/**
 * Role dispatcher for the stack's container image: `node dist/stack/main.js <role> [flags]`
 * runs `./<role>/main.js` with the remaining flags, so one image serves every service.
 */
const ROLES = ['gateway', 'tabular', 'fallback', 'triton', 'generative'] as const;

const role = process.argv[2];
if (!role || !(ROLES as readonly string[]).includes(role)) {
  process.stderr.write(`usage: main.js <${ROLES.join('|')}> [--port N] [--host H] [service flags]\n`);
  process.exitCode = 2;
} else {
  // Each role's main reads process.argv.slice(2): drop the role so it sees only its flags.
  process.argv.splice(2, 1);
  await import(`./${role}/main.js`);
}
