import { useCallback, useEffect, useRef, useState } from "react";

/**
 * One request at a time whose answer the page shows (a prediction, a completion): `run(send)` keeps the last answer
 * in `data` and a failure in `error`; an answer that comes after the component is gone is dropped.
 */
export function useRequest<T>() {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (send: () => Promise<T>) => {
    setPending(true);
    setError(null);
    try {
      const answer = await send();
      if (mounted.current) setData(answer);
    } catch (failure) {
      if (mounted.current) setError(failure);
    } finally {
      if (mounted.current) setPending(false);
    }
  }, []);

  return { data, error, pending, run, setError };
}
