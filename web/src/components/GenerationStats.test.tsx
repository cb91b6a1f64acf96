import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { GenerationStats } from "./GenerationStats";

describe("GenerationStats", () => {
  it("shows the teacher, the counts, the rates and why candidates were dropped", () => {
    render(
      <GenerationStats
        generation={{
          teacher: { kind: "llamacpp", model: "/models/SmolLM2.gguf", threads: 2 },
          proposed: 40,
          new_records: 12,
          rejected: { near_duplicate: 20, parse_failure: 3, too_short: 0 },
          truncated_proposals: 2,
          records_per_minute: 4.25,
          tokens_per_second: 180.4,
        }}
      />,
    );
    expect(screen.getByTestId("generation-teacher")).toHaveTextContent("llama.cpp · SmolLM2.gguf (2 threads)");
    expect(screen.getByTestId("generation-counts")).toHaveTextContent("40 / 12 / 23");
    expect(screen.getByTestId("generation-records-per-minute")).toHaveTextContent("4.3");
    expect(screen.getByTestId("generation-tokens-per-second")).toHaveTextContent("180");
    expect(screen.getByTestId("generation-rejected")).toHaveTextContent(
      "Dropped: 20 near-duplicates, 3 unparseable proposals (2 proposals were cut off)",
    );
    expect(screen.queryByTestId("generation-fallback")).toBeNull();
    expect(screen.queryByTestId("generation-weights")).toBeNull();
  });

  it("says how the weights were prepared", () => {
    const weights = "weights requantized once from Q4_1 to Q8_0 (llama.cpp has no fast CPU kernels for Q4_1)";
    render(<GenerationStats generation={{ teacher: { kind: "llamacpp", model: "/m/SmolLM2.gguf", weights } }} />);
    expect(screen.getByTestId("generation-weights")).toHaveTextContent(weights);
  });

  it("says when the llama.cpp teacher was replaced", () => {
    render(<GenerationStats generation={{ teacher: { kind: "local", fallback: "llama.cpp not used: crashed" } }} />);
    expect(screen.getByTestId("generation-fallback")).toHaveTextContent("llama.cpp not used: crashed");
    expect(screen.getByTestId("generation-teacher")).toHaveTextContent("transformers");
  });
});
