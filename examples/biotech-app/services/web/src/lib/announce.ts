'use client';

import { useEffect, useRef, useState } from 'react';

/** How often a progress announcement may change, at most (screen readers read each change). */
export const ANNOUNCE_INTERVAL_MS = 5000;

/**
 * Decides what an aria-live region shows: a new message goes out at once when the last one is at
 * least `intervalMs` old, or when it is `urgent` (a final or failure message); otherwise it waits
 * until the interval has passed, and only the newest waiting message is announced then.
 */
export class AnnouncementThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private shown = '';
  private waiting: string | null = null;

  constructor(private readonly intervalMs = ANNOUNCE_INTERVAL_MS) {}

  /** Offers `message` at time `now`; returns the text to show now, or null when it must wait. */
  offer(message: string, now: number, urgent = false): string | null {
    if (message === this.shown) {
      this.waiting = null;
      return null;
    }
    if (urgent || now - this.lastAt >= this.intervalMs) return this.show(message, now);
    this.waiting = message;
    return null;
  }

  /** When the waiting message may go out (ms from `now`), or null when nothing waits. */
  dueIn(now: number): number | null {
    return this.waiting === null ? null : Math.max(0, this.lastAt + this.intervalMs - now);
  }

  /** Shows the waiting message if its time has come. */
  flush(now: number): string | null {
    if (this.waiting === null || now - this.lastAt < this.intervalMs) return null;
    return this.show(this.waiting, now);
  }

  private show(message: string, now: number): string {
    this.shown = message;
    this.lastAt = now;
    this.waiting = null;
    return message;
  }
}

/**
 * The text for an aria-live region announcing `message`, changed at most every `intervalMs`
 * (progress while uploading or polling); `urgent` messages (done, failed) are not held back.
 */
export function useThrottledAnnouncement(message: string, urgent = false, intervalMs = ANNOUNCE_INTERVAL_MS): string {
  const throttle = useRef<AnnouncementThrottle | null>(null);
  const [text, setText] = useState('');
  useEffect(() => {
    throttle.current ??= new AnnouncementThrottle(intervalMs);
    const t = throttle.current;
    const now = Date.now();
    const shown = t.offer(message, now, urgent);
    if (shown !== null) {
      setText(shown);
      return;
    }
    const due = t.dueIn(now);
    if (due === null) return;
    const timer = setTimeout(() => {
      const later = t.flush(Date.now());
      if (later !== null) setText(later);
    }, due);
    return () => clearTimeout(timer);
  }, [message, urgent, intervalMs]);
  return text;
}
