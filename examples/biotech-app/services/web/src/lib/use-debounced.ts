'use client';

import { useEffect, useState } from 'react';

/** `value`, once it stopped changing for `delayMs` (a search box asks the API once typing pauses). */
export function useDebounced<T>(value: T, delayMs = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
