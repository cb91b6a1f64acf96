import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { httpError } from "../test/fixtures";
import { ErrorMessage } from "./ErrorMessage";

describe("ErrorMessage", () => {
  it("renders a validation detail list as one item per field", () => {
    const error = httpError(422, {
      detail: [
        { loc: ["body", "num_shards"], msg: "Input should be less than or equal to 64" },
        { loc: ["body", "rounds"], msg: "Input should be a valid integer" },
      ],
    });
    render(<ErrorMessage error={error} title="Training could not start" />);
    const alert = screen.getByRole("alert");
    expect(within(alert).getByText("Training could not start")).toBeInTheDocument();
    const items = within(alert)
      .getAllByRole("listitem")
      .map((item) => item.textContent);
    expect(items).toEqual([
      "num_shards: Input should be less than or equal to 64",
      "rounds: Input should be a valid integer",
    ]);
  });

  it("shows a string detail verbatim", () => {
    const message = "the label column 'label' has a single class ('pos'): training needs at least two";
    render(<ErrorMessage error={httpError(422, { detail: message })} />);
    expect(screen.getByRole("alert")).toHaveTextContent(message);
    expect(screen.queryByRole("list")).not.toBeInTheDocument();
  });
});
