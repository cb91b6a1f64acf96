import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import * as api from "../api/client";
import { httpError } from "../test/fixtures";
import { AdapterPlayground } from "./AdapterPlayground";

vi.mock("../api/client", async (importOriginal) => {
  const actual = await importOriginal<typeof api>();
  return { ...actual, generateWithAdapter: vi.fn() };
});

const generate = vi.mocked(api.generateWithAdapter);

describe("AdapterPlayground", () => {
  it("shows the base model's and the adapter's completions side by side", async () => {
    generate.mockResolvedValue({ base: "Sure! Here are", adapter: "seven" });
    const user = userEvent.setup();
    render(<AdapterPlayground jobId="lora_1" />);
    const button = screen.getByRole("button", { name: "Generate" });
    expect(button).toBeDisabled();
    await user.type(screen.getByLabelText("Prompt"), "Write the number in words: 7");
    await user.clear(screen.getByLabelText("New tokens"));
    await user.type(screen.getByLabelText("New tokens"), "16");
    await user.click(button);
    expect(generate).toHaveBeenCalledWith("lora_1", { prompt: "Write the number in words: 7", max_new_tokens: 16 });
    expect(await screen.findByTestId("playground-base")).toHaveTextContent("Base modelSure! Here are");
    expect(screen.getByTestId("playground-adapter")).toHaveTextContent("With your adapterseven");
  });

  it("says when a model wrote nothing", async () => {
    generate.mockResolvedValue({ base: "", adapter: "seven" });
    const user = userEvent.setup();
    render(<AdapterPlayground jobId="lora_1" />);
    await user.type(screen.getByLabelText("Prompt"), "hi");
    await user.click(screen.getByRole("button", { name: "Generate" }));
    expect(await screen.findByTestId("playground-base")).toHaveTextContent(
      "(no text: the model ended its answer at once)",
    );
  });

  it("keeps the token count within 1..256", async () => {
    const user = userEvent.setup();
    render(<AdapterPlayground jobId="lora_1" />);
    await user.type(screen.getByLabelText("Prompt"), "hi");
    await user.clear(screen.getByLabelText("New tokens"));
    await user.type(screen.getByLabelText("New tokens"), "300");
    expect(screen.getByRole("button", { name: "Generate" })).toBeDisabled();
    expect(screen.getByText("New tokens: a whole number from 1 to 256.")).toBeInTheDocument();
  });

  it("shows the server's reason for a refusal", async () => {
    generate.mockRejectedValue(
      httpError(409, { detail: "LoRA job lora_1 is running: the playground opens once it is done" }),
    );
    const user = userEvent.setup();
    render(<AdapterPlayground jobId="lora_1" />);
    await user.type(screen.getByLabelText("Prompt"), "hi");
    await user.click(screen.getByRole("button", { name: "Generate" }));
    expect(await screen.findByTestId("playground-error")).toHaveTextContent("the playground opens once it is done");
    expect(screen.queryByTestId("playground-base")).not.toBeInTheDocument();
  });
});
