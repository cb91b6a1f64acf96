import { lazy, Suspense, type ReactNode } from "react";
import { Route, Routes } from "react-router";

import { Layout } from "./components/Layout";
import { DatasetPage } from "./pages/DatasetPage";
import { DatasetsPage } from "./pages/DatasetsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { TasksPage } from "./pages/TasksPage";
import { TrainPage } from "./pages/TrainPage";
import { WorkersPage } from "./pages/WorkersPage";

// The pages with charts load Recharts (about half the bundle) only when opened.
const StatusPage = lazy(() => import("./pages/StatusPage").then((module) => ({ default: module.StatusPage })));
const LoraJobPage = lazy(() => import("./pages/LoraJobPage").then((module) => ({ default: module.LoraJobPage })));

function Loading({ children }: { children: ReactNode }) {
  return (
    <Suspense fallback={<div className="h-56 animate-pulse rounded-xl bg-slate-200/60" aria-busy="true" />}>
      {children}
    </Suspense>
  );
}

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<TrainPage />} />
        <Route path="train" element={<TrainPage />} />
        <Route
          path="status/:taskId"
          element={
            <Loading>
              <StatusPage />
            </Loading>
          }
        />
        <Route path="tasks" element={<TasksPage />} />
        <Route path="workers" element={<WorkersPage />} />
        <Route path="datasets" element={<DatasetsPage />} />
        <Route path="datasets/:datasetId" element={<DatasetPage />} />
        <Route
          path="lora/:jobId"
          element={
            <Loading>
              <LoraJobPage />
            </Loading>
          }
        />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
