import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, beforeEach, vi } from "vitest";

/** Renders `routes` (path pattern → element) in a memory router opened at `url`. */
export function renderAt(url: string, routes: Record<string, ReactElement>) {
  return render(
    <MemoryRouter initialEntries={[url]}>
      <Routes>
        {Object.entries(routes).map(([path, element]) => (
          <Route key={path} path={path} element={element} />
        ))}
      </Routes>
    </MemoryRouter>,
  );
}

/**
 * Runs each test of the file on fake timers that still advance by themselves, so a polling page loads as usual
 * and `vi.advanceTimersByTime` brings its next refresh.
 */
export function withFakeTimers() {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
