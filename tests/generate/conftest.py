"""Fixtures for the generator: the shared data files, the real SmolLM2 teacher, and a real HTTP endpoint
speaking the OpenAI chat-completions protocol (canned answers, or scripted failures)."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

DATA_DIR = Path(__file__).parents[2].parent / "shared" / "data"
LLM_CACHE = Path(os.environ.get("TRAINNET_TEST_LLM_CACHE", "/tmp/trainnet-llm-cache"))

# Distinct, filter-passing tasks the stub endpoint hands out, one per proposal slot.
CANNED_TASKS = [
    ("Suggest a name for a bakery that specialises in sourdough bread.", "", "Crust & Crumb"),
    ("Classify the sentiment of the movie review as positive or negative.", "I loved every minute of it.", "Positive"),
    ("Convert the temperature from Celsius to Fahrenheit.", "25 degrees Celsius", "77 degrees Fahrenheit"),
    ("List three benefits of regular exercise for older adults.", "", "Better balance, stronger bones, improved mood."),
    (
        "Rewrite the sentence in the passive voice.",
        "The committee approved the budget.",
        "The budget was approved by the committee.",
    ),
    ("Explain why the sky appears blue during the day.", "", "Air scatters short blue wavelengths of sunlight most."),
    ("Give a synonym for the word in bold used in a formal letter.", "happy", "delighted"),
    (
        "Summarise the story of a famous fairy tale in two sentences.",
        "Cinderella",
        "A mistreated girl attends a royal ball with magical help. The prince finds her by the glass slipper she left behind.",
    ),
    ("Count how many vowels appear in the given word.", "encyclopedia", "6"),
    ("Propose a healthy lunch menu for a vegetarian office worker.", "", "Lentil salad, hummus wrap and an apple."),
    ("Detect the language of this short sentence.", "Wo ist der Bahnhof?", "German"),
    ("Identify the main verb in the following sentence.", "The children sang loudly at the concert.", "sang"),
    (
        "Compose a polite reply declining a meeting invitation next Tuesday.",
        "",
        "Thank you for the invitation; unfortunately I am unavailable on Tuesday.",
    ),
    ("Calculate the area of a rectangle with the given sides.", "4 cm and 7 cm", "28 square centimetres"),
    (
        "Recommend a classic novel to a teenager who enjoys adventure stories.",
        "",
        "Treasure Island by Robert Louis Stevenson.",
    ),
    ("Sort these fruits alphabetically and return them comma separated.", "pear, apple, mango", "apple, mango, pear"),
    (
        "Describe the taste of a ripe mango to someone who never had one.",
        "",
        "Sweet, juicy and floral with a hint of citrus.",
    ),
    ("Tell whether the number is prime and justify briefly.", "91", "No, 91 = 7 x 13."),
    ("Invent a riddle whose answer is an umbrella.", "", "I open when it pours and close when it stops. What am I?"),
    (
        "Extract all email addresses mentioned in the text.",
        "Write to ann@example.org or bob@example.com.",
        "ann@example.org, bob@example.com",
    ),
    ("Estimate how long it takes to walk five kilometres at a relaxed pace.", "", "About an hour."),
    (
        "Correct the spelling mistakes in the sentence.",
        "I recieved the pakage yesterday.",
        "I received the package yesterday.",
    ),
    ("Formulate a quiz question about the solar system with its answer.", "", "Which planet is largest? Jupiter."),
    (
        "Decide if the two sentences are paraphrases of each other.",
        "He left early. / He departed ahead of time.",
        "Yes",
    ),
]


class ChatStub:
    """What the stub endpoint does: canned tasks and answers, or failures per a script.

    `script` is a list of behaviours consumed one per request ("ok", "500", "garbage", "not_json", "401",
    "repeat": always the same two tasks); when it runs out, `default` applies. Proposal prompts get the next two
    of `tasks` (as Alpaca blocks, or as a numbered list when `instruction_only`); other prompts get an answer.
    """

    def __init__(
        self,
        default: str = "ok",
        script: list[str] | None = None,
        delay_s: float = 0.0,
        instruction_only: bool = False,
        tasks: list[tuple[str, str, str]] | None = None,
    ) -> None:
        self.tasks = tasks or CANNED_TASKS
        self.default = default
        self.script = list(script or [])
        self.delay_s = delay_s
        self.instruction_only = instruction_only
        self.requests: list[dict] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._next_task = 0
        self._lock = threading.Lock()

    def behaviour(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else self.default

    def answer(self, body: dict, behaviour: str) -> str:
        prompt = body["messages"][-1]["content"]
        if "diverse tasks" not in prompt:
            return f"Here is my answer to: {prompt.splitlines()[0][:60]}"
        first = int(re.search(r"Now write tasks (\d+)", prompt).group(1))
        with self._lock:
            if behaviour == "repeat":
                picked = self.tasks[:2]
            else:
                picked = [self.tasks[(self._next_task + i) % len(self.tasks)] for i in range(2)]
                self._next_task += 2
        if self.instruction_only:
            return "\n".join(f"{first + i}. {instruction}" for i, (instruction, _, _) in enumerate(picked))
        blocks = [
            f"{first + i}. Instruction: {instruction}\n{first + i}. Input:\n{given or '<noinput>'}\n{first + i}. Output:\n{output}"
            for i, (instruction, given, output) in enumerate(picked)
        ]
        return "\n###\n".join(blocks)


def _handler(stub: ChatStub):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with stub._lock:
                stub.requests.append(body)
                stub.in_flight += 1
                stub.max_in_flight = max(stub.max_in_flight, stub.in_flight)
            try:
                time.sleep(stub.delay_s)
                self._respond(body, stub.behaviour())
            finally:
                with stub._lock:
                    stub.in_flight -= 1

        def _respond(self, body: dict, behaviour: str) -> None:
            if behaviour == "500":
                return self._send(500, {"error": {"message": "model crashed", "type": "server_error"}})
            if behaviour == "401":
                return self._send(401, {"error": {"message": "bad api key", "type": "invalid_request_error"}})
            if behaviour == "not_json":
                return self._send(200, b"<html>gateway says hello</html>", "text/html")
            if behaviour == "garbage":
                return self._send(200, {"unexpected": "shape"})
            text = stub.answer(body, behaviour)
            self._send(200, {
                "id": "chatcmpl-stub", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": len(text.split()), "total_tokens": 10 + len(text.split())},
            })  # fmt: skip

        def _send(self, status: int, payload, content_type: str = "application/json") -> None:
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def chat_endpoint():
    """Start a stub endpoint for a given `ChatStub`; returns (base_url, stub)."""
    servers = []

    def start(stub: ChatStub | None = None) -> tuple[str, ChatStub]:
        stub = stub or ChatStub()
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1", stub

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A URL on which nothing listens (the endpoint is down)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The shared development data (/work/shared/data next to the repository); never copied into it."""
    return DATA_DIR


@pytest.fixture(scope="session")
def seed_tasks():
    from trainnet.generate.seeds import load_seed_tasks

    path = DATA_DIR / "seed_tasks.jsonl"
    return load_seed_tasks(path.read_bytes(), path.name)


@pytest.fixture(scope="session")
def smollm2():
    """The real embedded teacher model, loaded once (converted into LLM_CACHE on first use)."""
    import torch

    from trainnet.models.llm import load_causal_lm

    torch.set_num_threads(1)
    model, tokenizer = load_causal_lm("smollm2", cache_dir=LLM_CACHE)
    model.eval()
    return model, tokenizer
