import { useId, type InputHTMLAttributes, type ReactNode } from "react";

interface InputFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id" | "className"> {
  label: string;
  /** A line under the input; screen readers read it as the input's description. */
  hint?: ReactNode;
  mono?: boolean;
}

const INPUT_CLASS =
  "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30";

/** A form input with its label above and an optional hint below. */
export function InputField({ label, hint, mono = false, ...input }: InputFieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        aria-describedby={hint ? hintId : undefined}
        className={mono ? `${INPUT_CLASS} font-mono` : INPUT_CLASS}
        {...input}
      />
      {hint && (
        <p id={hintId} className="mt-1 text-xs text-slate-500">
          {hint}
        </p>
      )}
    </div>
  );
}
