"""Speed under load, start-up, memory and training time, against bare Rasa in the same run.

`make bench` runs this (it is not a test). In one run it:

1. trains the model from scratch (``carebot train --force`` into a temporary models folder) and
   times it;
2. loads a bare Rasa ``Agent`` on the same model file in this process, with an in-memory tracker
   store and the same in-process custom actions;
3. starts ``carebot serve`` in demo mode on a free loopback port with a fresh data folder (SQLite)
   and times how long until ``/health`` answers 200;
4. at 1, 10 and 50 conversations at once, sends a fixed mix of realistic conversations to
   ``POST /webhooks/rest/webhook``, then the same messages to bare Rasa's
   ``Agent.handle_text``, back to back so both see the same background load, timing every
   message (p50, p95, p99, messages per second);
5. reads the server's peak memory (VmHWM, the resident set's high-water mark, of the server
   and its understanding process added up) and stops it.

Both run the model with one BLAS thread, as ``carebot serve`` does: OpenBLAS's second thread
makes one parse about 1 ms faster but spins for the rest, doubling its CPU (measured), which a
server on two cores cannot spare; the ratio is meant to show what carebot adds, not a
difference in numerical threading.

Bare Rasa runs everything on one event loop without waiting on anything, so its messages never
overlap: its latency at 10 and 50 is one message's time, not a queue's; compare throughput there.

The overhead ratio is carebot's median latency over bare Rasa's median latency for the same
messages one at a time (concurrency 1), where neither queues: what carebot adds to each message
(HTTP, hashing the sender, the safety screen, the concern check, the encrypted SQL tracker store,
the user's state). Ratios at 10 and 50 are reported as well.

Results go to ``bench/results/<date>.json``; the last line printed is the summary the issue asks
for. The load generator shares the machine's cores with the server, as it does with bare Rasa.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import aiohttp

from bench.serve import CAREBOT, REPO, free_port, rest_headers, wait_healthy

RESULTS_DIR = REPO / "bench" / "results"
LEVELS = {1: 150, 10: 500, 50: 1500}  # concurrent conversations: messages sent at that level
WARM_UP_MESSAGES = 30
GOALS = {
    "p95_ms_at_10": ("<=", 150.0),
    "msgs_per_s_at_50": (">=", 40.0),
    "overhead_ratio": ("<=", 1.5),
    "startup_s": ("<=", 60.0),
    "peak_rss_mb": ("<=", 2560.0),
}

# Realistic conversations of five messages (a person is never rate limited: 20 a minute):
# greetings, topic questions in a young person's words, care leaver questions, button payloads
# exactly as our buttons send them, small talk and out-of-scope questions. No disclosures: each
# would store an urgent alert for staff, and bare Rasa has no screen to compare with.
CONVERSATIONS: list[list[str]] = [
    ["hello", "who is my IRO?", "/faq_iro_contact", "thanks", "bye"],
    ["hi", "what happens at my review meeting", "can i say what i think before my review",
     "/bot_challenge", "ok thanks"],
    ["hey", "im a care leaver", "can i get money for uni", "/faq_he_bursary", "thank you"],
    ["what can you do", "/ask_capabilities", "how do i complain about my social worker",
     "/faq_complaint_stages", "bye"],
    ["hello", "what is an advocate", "/faq_advocate_get", "are you a real person", "goodbye"],
    ["hiya", '/set_audience{"audience":"parent"}', "can i see my child", "who chairs the review",
     "thanks"],
    ["tell me a joke", "whats the weather like", "who decides my care plan",
     "/faq_care_plan_copy", "ok"],
    ["hi", "do i get help with council tax when i leave care", "what is the local offer",
     '/set_audience{"audience":"care_leaver"}', "cheers"],
]


@dataclass
class LevelResult:
    concurrency: int
    messages: int
    seconds: float
    msgs_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


Send = Callable[[str, str], Awaitable[None]]


async def drive(send: Send, concurrency: int, total: int, label: str) -> LevelResult:
    """``concurrency`` workers, each holding one conversation at a time, until ``total`` sent."""
    latencies: list[float] = []
    next_conversation = iter(range(10**9))
    to_send = total

    async def worker() -> None:
        nonlocal to_send
        while to_send > 0:
            number = next(next_conversation)
            sender = f"bench-{label}-{concurrency}-{number}"
            for text in CONVERSATIONS[number % len(CONVERSATIONS)]:
                if to_send <= 0:
                    return
                to_send -= 1
                started = time.perf_counter()
                await send(sender, text)
                latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = time.perf_counter() - started
    return LevelResult(
        concurrency=concurrency,
        messages=len(latencies),
        seconds=round(seconds, 2),
        msgs_per_s=round(len(latencies) / seconds, 1),
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        mean_ms=round(statistics.fmean(latencies), 1),
    )


async def run_levels(senders: dict[str, Send]) -> dict[str, dict[int, LevelResult]]:
    """Each level for each sender back to back, so both see the same background load."""
    for label, send in senders.items():
        await drive(send, 5, WARM_UP_MESSAGES, f"{label}-warmup")
    results: dict[str, dict[int, LevelResult]] = {label: {} for label in senders}
    for concurrency, total in LEVELS.items():
        for label, send in senders.items():
            results[label][concurrency] = await drive(send, concurrency, total, label)
            print(f"  {label:8} {format_level(results[label][concurrency])}", flush=True)
    return results


def format_level(r: LevelResult) -> str:
    return (
        f"{r.concurrency:>2} at once: {r.messages} msgs in {r.seconds:.1f} s = "
        f"{r.msgs_per_s:.1f} msgs/s; p50 {r.p50_ms:.0f} ms, p95 {r.p95_ms:.0f} ms, "
        f"p99 {r.p99_ms:.0f} ms"
    )


# ------------------------------------------------------------------------- carebot


def train(env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        CAREBOT + ["train", "--force"], env=env, cwd=REPO, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"training failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def peak_rss_mb(pid: int) -> float:
    """The resident set high-water marks (VmHWM) of the process and all its descendants (the
    understanding process), added up, in MiB."""
    total = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            total += int(line.split()[1]) / 1024
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += peak_rss_mb(int(child))
    return total


async def bench_carebot(env: dict[str, str], log_path: Path, bare: Send) -> dict:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        started = time.perf_counter()
        server = subprocess.Popen(
            CAREBOT + ["serve", "--port", str(port)], env=env, cwd=REPO,
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            startup_s = await wait_healthy(base, server, started)
            print(f"  carebot  ready in {startup_s:.1f} s (start to /health 200)", flush=True)
            # aiohttp rather than httpx: the load generator shares the two cores with the
            # server, and aiohttp's client costs it about a third as much CPU per request.
            async with aiohttp.ClientSession(
                base, timeout=aiohttp.ClientTimeout(total=60),
                connector=aiohttp.TCPConnector(limit=100), headers=rest_headers(env),
            ) as client:
                statuses: dict[int, int] = {}
                slowed: list[str] = []

                async def send(sender: str, text: str) -> None:
                    async with client.post(
                        "/webhooks/rest/webhook", json={"sender": sender, "message": text}
                    ) as response:
                        body = await response.text()
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    if response.status == 200 and "very fast" in body:
                        slowed.append(sender)

                levels = await run_levels({"carebot": send, "bare": bare})
            rss = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=30)
    return {
        "startup_s": round(startup_s, 1), "peak_rss_mb": round(rss), "levels": levels["carebot"],
        "http_statuses": statuses, "rate_limited_replies": len(slowed),
        "bare_levels": levels["bare"],
    }


# ----------------------------------------------------------------------- bare Rasa


def bare_rasa(env: dict[str, str]) -> tuple[str, Send]:
    """The same model file in a bare Agent: in-memory tracker store, in-process actions."""
    from bot.config import Settings
    from bot.logging_setup import quiet_ml_environment

    settings = Settings.from_env(env)
    quiet_ml_environment(str(settings.data_dir))

    from rasa.core.agent import Agent
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain

    from bot.knowledge.content import content_for
    from bot.knowledge.topics import TopicLibrary
    from bot.logging_setup import quiet_library_logs
    from bot.nlu.parse_process import one_blas_thread
    from bot.rasa_compat import cache_action_response_validation
    from bot.rasa_runtime import InProcessActionEndpoint, action_executor
    from bot.services.app_context import AppContext, install_app_context
    from bot.training import latest_model
    from db.encryption import DataKeys, new_key_spec
    from db.migrate import upgrade_to_head

    # The custom actions read content and, for a person's audience, the database.
    upgrade_to_head(settings.database_url)
    install_app_context(AppContext(
        settings.database_url, DataKeys.parse(new_key_spec("bench")),
        content_for(settings.content_dir, settings.local_authority),
        TopicLibrary(settings.content_dir / "topics"),
    ))
    quiet_library_logs()
    # The same fix to Rasa's per-call schema check as carebot's, so that the ratio measures
    # carebot's own pipeline rather than that fix (bot/rasa_runtime.py).
    cache_action_response_validation()
    model = latest_model(settings.rasa_project_dir, settings.models_dir)
    agent = Agent.load(
        str(model), tracker_store=InMemoryTrackerStore(Domain.empty()),
        action_endpoint=InProcessActionEndpoint(action_executor()),
    )
    one_blas_thread()  # as carebot serve runs the model (bot/nlu/parse_process.py)

    async def send(sender: str, text: str) -> None:
        await agent.handle_text(text, sender_id=sender)

    return model.name, send


# ------------------------------------------------------------------------- report


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")), platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    return {
        "cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem_kb / 1024**2, 1),
        "python": platform.python_version(), "system": platform.platform(),
    }


def summary(carebot: dict, bare: dict, training_s: float) -> dict:
    ours, theirs = carebot["levels"], bare["levels"]
    return {
        "p95_ms_at_10": ours[10].p95_ms,
        "msgs_per_s_at_50": ours[50].msgs_per_s,
        "overhead_ratio": round(ours[1].p50_ms / theirs[1].p50_ms, 2),
        "startup_s": carebot["startup_s"],
        "peak_rss_mb": carebot["peak_rss_mb"],
        "training_s": round(training_s, 1),
    }


def goal_lines(figures: dict) -> list[str]:
    lines = []
    for name, (sense, goal) in GOALS.items():
        value = figures[name]
        met = value <= goal if sense == "<=" else value >= goal
        lines.append(f"  {name:18} {value:>8}  goal {sense} {goal:g}: {'met' if met else 'MISSED'}")
    return lines


async def main() -> int:
    # Rasa's dependencies warn about their own deprecated imports; those say nothing here.
    warnings.simplefilter("ignore")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="carebot-bench-") as tmp:
        root = Path(tmp)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("CAREBOT_", "TELEGRAM_", "DATABASE_URL"))}
        env.update(
            CAREBOT_DATA_DIR=str(root / "data"), CAREBOT_DEMO="1",
            CAREBOT_MODELS_DIR=str(root / "models"), CAREBOT_LOG_LEVEL="WARNING",
        )
        print("Training from scratch (carebot train --force)...", flush=True)
        training_s = train(env)
        training_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"  trained in {training_s:.1f} s, peak {training_rss_mb:.0f} MiB", flush=True)
        print("Loading bare Rasa (Agent.handle_text) on the same model in this process...")
        model_name, bare_send = bare_rasa({**env, "CAREBOT_DATA_DIR": str(root / "bare")})
        print("carebot serve over REST, and bare Rasa, level by level:", flush=True)
        carebot = await bench_carebot(env, root / "serve.log", bare_send)
        bare = {"model": model_name, "levels": carebot.pop("bare_levels")}
    figures = summary(carebot, bare, training_s)
    ratios = {
        c: {
            "p50": round(carebot["levels"][c].p50_ms / bare["levels"][c].p50_ms, 2),
            "msgs_per_s": round(carebot["levels"][c].msgs_per_s / bare["levels"][c].msgs_per_s, 2),
        }
        for c in LEVELS
    }
    result = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "summary": figures,
        "goals": {name: f"{sense} {goal:g}" for name, (sense, goal) in GOALS.items()},
        "overhead_ratio_definition": (
            "carebot p50 latency over REST / bare Rasa Agent.handle_text p50 latency, "
            "same model and messages, one conversation at a time"
        ),
        "carebot_over_bare_by_concurrency": ratios,
        "training": {"seconds": round(training_s, 1), "peak_rss_mb": round(training_rss_mb)},
        "carebot": {**carebot, "levels": {c: asdict(r) for c, r in carebot["levels"].items()}},
        "bare_rasa": {**bare, "levels": {c: asdict(r) for c, r in bare["levels"].items()}},
        "message_mix": CONVERSATIONS,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{result['date']}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"carebot / bare Rasa: {json.dumps(ratios)}")
    print("\n".join(goal_lines(figures)))
    print(f"Results: {out.relative_to(REPO)}")
    print(" ".join(f"{k}={v}" for k, v in figures.items() if k != "training_s"))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
