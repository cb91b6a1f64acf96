import { useState } from "react";

import type { ModelKind } from "../api/types";

/** Python that loads the downloaded zip with transformers, for the task's kind of model. */
export function loadModelSnippet(kind: ModelKind): string {
  const unzip = `zip_path = "model.zip"  # the file you downloaded
zipfile.ZipFile(zip_path).extractall("model")`;
  if (kind === "image") {
    return `import zipfile
from PIL import Image
from transformers import AutoImageProcessor, AutoModelForImageClassification

${unzip}
model = AutoModelForImageClassification.from_pretrained("model")
processor = AutoImageProcessor.from_pretrained("model")

inputs = processor(images=Image.open("photo.jpg").convert("RGB"), return_tensors="pt")
predicted = model(**inputs).logits.argmax(-1).item()
print(model.config.id2label[predicted])
`;
  }
  return `import zipfile
from transformers import AutoModelForSequenceClassification, AutoTokenizer

${unzip}
model = AutoModelForSequenceClassification.from_pretrained("model")
tokenizer = AutoTokenizer.from_pretrained("model")

inputs = tokenizer(["This is great!"], return_tensors="pt", truncation=True)
predicted = model(**inputs).logits.argmax(-1).item()
print(model.config.id2label[predicted])
`;
}

export function LoadModelSnippet({ kind }: { kind: ModelKind }) {
  const [copied, setCopied] = useState(false);
  const code = loadModelSnippet(kind);

  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard access can be refused (insecure origin); the code stays selectable.
    }
  }

  return (
    <div className="relative">
      <pre
        data-testid="load-snippet"
        className="overflow-x-auto rounded-lg bg-slate-900 p-4 pr-20 text-xs leading-relaxed text-slate-100 sm:text-sm"
      >
        <code>{code}</code>
      </pre>
      <button
        type="button"
        onClick={copy}
        className="absolute right-2 top-2 rounded-md bg-slate-700 px-2.5 py-1 text-xs font-medium text-slate-100 hover:bg-slate-600 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-400"
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}
