import { Route, Routes } from "react-router";

import { Layout } from "./components/Layout";
import { DatasetPage } from "./pages/DatasetPage";
import { DatasetsPage } from "./pages/DatasetsPage";
import { LoraJobPage } from "./pages/LoraJobPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { StatusPage } from "./pages/StatusPage";
import { TasksPage } from "./pages/TasksPage";
import { TrainPage } from "./pages/TrainPage";
import { WorkersPage } from "./pages/WorkersPage";

export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<TrainPage />} />
        <Route path="train" element={<TrainPage />} />
        <Route path="status/:taskId" element={<StatusPage />} />
        <Route path="tasks" element={<TasksPage />} />
        <Route path="workers" element={<WorkersPage />} />
        <Route path="datasets" element={<DatasetsPage />} />
        <Route path="datasets/:datasetId" element={<DatasetPage />} />
        <Route path="lora/:jobId" element={<LoraJobPage />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
