/** The triangle of a `<details>` summary; it turns down while the enclosing `group` is open. */
export function DisclosureIcon({ className = "" }: { className?: string }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 20 20"
      className={`h-4 w-4 text-slate-500 transition-transform group-open:rotate-90 ${className}`}
      fill="currentColor"
    >
      <path d="M7 5l6 5-6 5V5z" />
    </svg>
  );
}
