/** Fan-out of platform events to subscribers; shared by both platforms. */
import type { PlatformEvent } from './platform.js';

export type PlatformEventListener = (event: PlatformEvent) => void;

export class PlatformEventHub {
  private readonly listeners = new Set<PlatformEventListener>();

  /** Subscribes; returns the unsubscribe function (Platform.onEvent's contract). */
  on(listener: PlatformEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: PlatformEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a broken listener never stops the platform (watches, supervisors, faults)
      }
    }
  }
}
