import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { StatusBadge } from "./StatusBadge";

describe("StatusBadge", () => {
  it.each([
    ["pending", "bg-slate-100"],
    ["queued", "bg-amber-100"],
    ["running", "bg-blue-100"],
    ["done", "bg-emerald-100"],
    ["error", "bg-red-100"],
  ])("colours %s with %s and shows the status word", (status, colour) => {
    render(<StatusBadge status={status} />);
    const badge = screen.getByTestId("status-badge");
    expect(badge).toHaveTextContent(status);
    expect(badge).toHaveAttribute("data-status", status);
    expect(badge).toHaveClass(colour);
  });

  it("gives each task status its own colour", () => {
    const statuses = ["pending", "queued", "running", "done", "error"];
    const { container } = render(
      <>
        {statuses.map((status) => (
          <StatusBadge key={status} status={status} />
        ))}
      </>,
    );
    const backgrounds = [...container.querySelectorAll("[data-testid=status-badge]")].map((badge) =>
      [...badge.classList].find((name) => name.startsWith("bg-")),
    );
    expect(new Set(backgrounds).size).toBe(statuses.length);
  });

  it("falls back to the neutral colour for an unknown status", () => {
    render(<StatusBadge status="paused" />);
    expect(screen.getByTestId("status-badge")).toHaveClass("bg-slate-100");
  });

  it("gives each dataset status its own colour and keeps the API's word", () => {
    const statuses = ["UPLOADED", "GENERATING", "GENERATED", "VALIDATING", "READY_FOR_FINE_TUNING", "DELETED", "error"];
    const { container } = render(
      <>
        {statuses.map((status) => (
          <StatusBadge key={status} status={status} />
        ))}
      </>,
    );
    const badges = [...container.querySelectorAll("[data-testid=status-badge]")];
    expect(badges.map((badge) => badge.textContent)).toEqual(statuses);
    const backgrounds = badges.map((badge) => [...badge.classList].find((name) => name.startsWith("bg-")));
    expect(new Set(backgrounds).size).toBe(statuses.length);
  });
});
