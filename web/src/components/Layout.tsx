import { useEffect, useState } from "react";
import { Link, NavLink, Outlet } from "react-router";

import { getHealth } from "../api/client";

function navClass({ isActive }: { isActive: boolean }) {
  return `rounded-md px-3 py-2 text-sm font-medium transition-colors ${
    isActive ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
  }`;
}

export function Layout() {
  const [version, setVersion] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    getHealth({ signal: controller.signal })
      .then((health) => setVersion(health.version))
      .catch(() => setVersion(null));
    return () => controller.abort();
  }, []);

  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-10 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex h-14 max-w-5xl items-center gap-4 px-4 sm:px-6">
          <Link to="/" className="flex items-center gap-2 font-semibold text-slate-900">
            <img src="/favicon.svg" alt="" className="h-7 w-7" />
            TrainNet
          </Link>
          <nav aria-label="Main" className="ml-auto flex items-center gap-1">
            <NavLink to="/train" className={navClass} data-testid="nav-train">
              Train
            </NavLink>
            <NavLink to="/tasks" className={navClass} data-testid="nav-tasks">
              Tasks
            </NavLink>
            <NavLink to="/datasets" className={navClass} data-testid="nav-datasets">
              Datasets
            </NavLink>
          </nav>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 py-6 sm:px-6 sm:py-8">
        <Outlet />
      </main>
      <footer className="border-t border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-4 text-xs text-slate-500 sm:px-6">
          <span>TrainNet{version ? ` ${version}` : ""}</span>
          <Link to="/workers" className="hover:text-slate-800 hover:underline" data-testid="footer-workers">
            Workers
          </Link>
        </div>
      </footer>
    </div>
  );
}
