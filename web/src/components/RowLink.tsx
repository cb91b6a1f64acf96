import type { ComponentProps } from "react";
import { Link } from "react-router";

const ROW_CLASS =
  "grid items-center gap-x-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm transition-colors hover:border-indigo-300 hover:bg-indigo-50/30 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600";

/** A list row that is one link to the item's page; `className` lays out its grid. */
export function RowLink({ className, ...link }: ComponentProps<typeof Link>) {
  return <Link className={`${ROW_CLASS} ${className}`} {...link} />;
}
