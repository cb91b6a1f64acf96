import type { ReactNode } from "react";

import { DownloadIcon } from "./DownloadIcon";

interface DownloadLinkProps {
  href: string;
  testId: string;
  children: ReactNode;
}

/** The main download of a finished job (its model or adapter), styled as a primary button. */
export function DownloadLink({ href, testId, children }: DownloadLinkProps) {
  return (
    <a
      href={href}
      download
      data-testid={testId}
      className="inline-flex items-center gap-2 rounded-lg bg-indigo-600 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-indigo-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
    >
      <DownloadIcon />
      {children}
    </a>
  );
}
