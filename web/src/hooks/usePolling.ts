import { useCallback, useEffect, useRef, useState } from "react";

import { errorStatus } from "../lib/errors";

export interface PollState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** When the last successful answer arrived (ms since epoch). */
  updatedAt: number | undefined;
  /** False once `keepPolling` said stop, or the resource is gone (404). */
  polling: boolean;
}

/**
 * Load now, then again every `intervalMs` after each answer, for as long as `keepPolling(data)` is true.
 * A failed request keeps the last data and tries again, except a 404, which stops. Changing `key` restarts
 * from nothing; `refresh()` loads again now and resumes polling, keeping the data shown meanwhile (after an
 * action that changes the resource, e.g. a job started on it).
 */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  keepPolling: (data: T) => boolean = () => true,
  key = "",
): PollState<T> & { refresh: () => void } {
  const [state, setState] = useState<PollState<T>>({
    data: undefined,
    error: null,
    loading: true,
    updatedAt: undefined,
    polling: true,
  });
  const [nonce, setNonce] = useState(0);
  const shownKey = useRef<string | undefined>(undefined);
  const loadRef = useRef(load);
  const keepRef = useRef(keepPolling);
  useEffect(() => {
    loadRef.current = load;
    keepRef.current = keepPolling;
  });

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    if (shownKey.current !== key) {
      shownKey.current = key;
      setState({ data: undefined, error: null, loading: true, updatedAt: undefined, polling: true });
    } else {
      setState((previous) => ({ ...previous, polling: true }));
    }

    async function tick() {
      let again: boolean;
      try {
        const data = await loadRef.current(controller.signal);
        if (stopped) return;
        again = keepRef.current(data);
        setState({ data, error: null, loading: false, updatedAt: Date.now(), polling: again });
      } catch (error) {
        if (stopped) return;
        again = errorStatus(error) !== 404;
        setState((previous) => ({ ...previous, error, loading: false, polling: again }));
      }
      if (again && !stopped) timer = setTimeout(tick, intervalMs);
    }

    void tick();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
  }, [key, intervalMs, nonce]);

  const refresh = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, refresh };
}
