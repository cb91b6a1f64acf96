import type { ModelKind } from "../api/types";
import { CodeSnippet } from "./CodeSnippet";

/** Python that loads the downloaded zip with transformers, for the task's kind of model. */
function loadModelSnippet(kind: ModelKind): string {
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
  return <CodeSnippet code={loadModelSnippet(kind)} testId="load-snippet" />;
}
