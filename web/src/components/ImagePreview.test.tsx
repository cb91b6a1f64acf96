import { render, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";

import * as api from "../api/client";
import { makeDataset } from "../test/fixtures";
import { DatasetPreview } from "./DatasetPreview";

vi.mock("../api/client");

const mocked = vi.mocked(api);
const PIXEL =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg==";

const zipDataset = makeDataset({
  name: "pets.zip",
  format: "jsonl",
  rows: 3,
  columns: ["file_name", "label", "image"],
  kind: "image",
  text_column: null,
  image_column: "image",
  label_counts: { cat: 2, dog: 1 },
  preview: [{ file_name: "cat/1.png", label: "cat", image: "iVBORw0KGgo…" }],
  images: {
    layout: "class folders",
    image_count: 3,
    sizes: { "28x28": 3 },
    formats: { PNG: 3 },
    skipped_count: 1,
    skipped: [{ file: "cat/notes.txt", reason: "not an image (.txt)" }],
  },
});

describe("DatasetPreview of images", () => {
  it("shows a few thumbnails per class, what the zip held and what was skipped, and no base64 column", async () => {
    mocked.getDatasetThumbnails.mockResolvedValue({
      dataset_id: "ds_1",
      thumbnails: { cat: [PIXEL, PIXEL], dog: [PIXEL] },
    });
    render(<DatasetPreview dataset={zipDataset} />);
    const classes = await screen.findAllByTestId("thumbnail-class");
    expect(classes).toHaveLength(2);
    expect(within(classes[0]).getAllByRole("img")).toHaveLength(2);
    expect(within(classes[1]).getByRole("img", { name: "dog example 1" })).toHaveAttribute("src", PIXEL);
    expect(mocked.getDatasetThumbnails).toHaveBeenCalledWith("ds_1", expect.anything());
    expect(screen.getByTestId("archive-summary")).toHaveTextContent("3 images read by class folders; sizes: 28x28 (3)");
    expect(screen.getByTestId("archive-skipped")).toHaveTextContent("cat/notes.txt: not an image (.txt)");
    const headers = within(screen.getByTestId("preview-table")).getAllByRole("columnheader");
    expect(headers.map((header) => header.textContent)).toEqual(["file_name", "labellabel"]);
  });

  it("asks for no thumbnails for text data", () => {
    render(<DatasetPreview dataset={makeDataset()} />);
    expect(screen.queryByTestId("thumbnails")).not.toBeInTheDocument();
    expect(mocked.getDatasetThumbnails).not.toHaveBeenCalled();
  });
});
