import { DisclosureIcon } from "./DisclosureIcon";

interface Format {
  title: string;
  example: string;
}

/** Each file the server accepts for training, with the smallest example of it (the README lists the same). */
const DATA_FORMATS: Format[] = [
  { title: "CSV with a text and a label column", example: "text,label\ngreat film,pos\nboring plot,neg" },
  {
    title: "JSON: an array of objects",
    example: '[{"text": "great film", "label": "pos"},\n {"text": "boring plot", "label": "neg"}]',
  },
  {
    title: "JSONL: one object per line",
    example: '{"text": "great film", "label": "pos"}\n{"text": "boring plot", "label": "neg"}',
  },
  {
    title: "Images as pixel columns (square, grayscale 0–255)",
    example: "label,pixel0,pixel1,pixel2,pixel3\n7,0,255,128,0",
  },
  { title: "Images as base64 PNG/JPEG in JSON (or CSV)", example: '[{"image": "iVBORw0KGgo…", "label": "cat"}]' },
  {
    title: "A .zip of images in one folder per class (PNG, JPEG, WebP, BMP, GIF)",
    example: "pets.zip\n├── cat/001.jpg\n├── cat/002.png\n└── dog/003.jpg",
  },
  {
    title: "A .zip of images with a metadata.csv (or metadata.jsonl)",
    example: "pets.zip\n├── metadata.csv   file_name,label\n│                images/001.jpg,cat\n└── images/001.jpg",
  },
];

/** The accepted formats, folded under the upload: the default path needs none of it. */
export function DataFormats() {
  return (
    <details data-testid="data-formats" className="group mt-4 rounded-lg border border-slate-200 bg-white">
      <summary className="flex cursor-pointer select-none items-center gap-2 rounded-lg px-4 py-3 text-sm font-medium text-slate-800 hover:bg-slate-50">
        <DisclosureIcon />
        Which files work?
      </summary>
      <div className="space-y-3 border-t border-slate-200 px-4 py-4 text-sm">
        <ul className="grid gap-3 md:grid-cols-2">
          {DATA_FORMATS.map((format) => (
            <li key={format.title} className="min-w-0">
              <p className="mb-1 text-slate-700">{format.title}</p>
              <pre className="overflow-x-auto rounded bg-slate-50 px-2 py-1.5 font-mono text-xs text-slate-800">
                {format.example}
              </pre>
            </li>
          ))}
        </ul>
        <p className="text-xs text-slate-500">
          A zip is read in memory, never unpacked: links, nested archives, encrypted files and images over 4096×4096
          pixels are refused; a file that is not an image, or does not decode, is skipped and listed.
        </p>
      </div>
    </details>
  );
}
