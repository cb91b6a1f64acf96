import { useState, type FormEvent } from "react";

/**
 * A form that starts a job with one request. `onSubmit` sends `send` (null while the form cannot be sent), one
 * request at a time; a failure is kept in `error` and the form can be sent again. On success the caller moves on
 * (navigates away), so `submitting` stays true.
 */
export function useSubmit(send: (() => Promise<void>) | null) {
  const [submitting, setSubmitting] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (!send || submitting) return;
    setSubmitting(true);
    setError(null);
    try {
      await send();
    } catch (failure) {
      setError(failure);
      setSubmitting(false);
    }
  }

  return { submitting, error, onSubmit, clearError: () => setError(null) };
}
