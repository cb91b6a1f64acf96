import { Link } from "react-router";

import { usePageTitle } from "../hooks/usePageTitle";

export function NotFoundPage() {
  usePageTitle("Not found");
  return (
    <div className="py-16 text-center">
      <h1 className="text-2xl font-semibold text-slate-900">Page not found</h1>
      <p className="mt-2 text-slate-600">
        <Link to="/train" className="text-indigo-700 underline underline-offset-2">
          Train a model
        </Link>{" "}
        or see your{" "}
        <Link to="/tasks" className="text-indigo-700 underline underline-offset-2">
          tasks
        </Link>
        .
      </p>
    </div>
  );
}
