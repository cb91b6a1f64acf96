interface ListSkeletonProps {
  /** What is loading, for screen readers. */
  label: string;
  rows: number;
  /** A row's height, as a Tailwind class. */
  rowHeight: string;
}

/** Pulsing placeholder rows while a list loads. */
export function ListSkeleton({ label, rows, rowHeight }: ListSkeletonProps) {
  return (
    <ul className="space-y-3" aria-busy="true" aria-label={label}>
      {Array.from({ length: rows }, (_, i) => (
        <li key={i} className={`${rowHeight} animate-pulse rounded-xl bg-slate-200/60`} />
      ))}
    </ul>
  );
}
