"""PyTorch reference for `npm run bench` (bench/run.ts starts it; not meant to be run by hand).

Reads the case list and timing rules as JSON on stdin (the same catalogue the TypeScript engines
use, bench/lib/cases.ts), measures every case with the rules of bench/lib/timing.ts, and prints
one marked JSON line per result as it goes (so a run killed at its time limit keeps what it
measured), after one line with what torch runs with. Results use the field names of
bench/lib/results.ts (camelCase), so the driver parses them as it parses its own workers'.

The driver runs it with /usr/bin/python3 (Debian's PyTorch 1.13), OPENBLAS_CORETYPE=SkylakeX
and OPENBLAS_L2_SIZE unset, as issue 4 states the reference; threads are set to 2 here.
"""
import ctypes
import json
import os
import statistics
import sys
import time

import torch
from torch import nn

RESULT_MARK = "@@bench-result "  # bench/lib/results.ts
INFO_MARK = "@@bench-info "
WARMUP_SLACK = 1.25  # as bench/lib/timing.ts: warm-up runs are slower than steady state


def now_ms():
    return time.perf_counter() * 1000.0


def machine_busy_seconds():
    """bench/lib/contention.ts: busy CPU seconds of the whole machine, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def snapshot():
    return machine_busy_seconds(), time.process_time(), time.perf_counter()


def others_share(a, b):
    """Share of the machine's CPU that other processes used between two snapshots (0-1), or None."""
    if a[0] is None or b[0] is None or b[2] <= a[2]:
        return None
    others = (b[0] - a[0]) - (b[1] - a[1])
    return round(min(1.0, max(0.0, others / ((b[2] - a[2]) * os.cpu_count()))), 2)


def summarise(ms):
    """bench/lib/timing.ts's WarmupSummary."""
    return {"runs": len(ms), "totalMs": sum(ms), "firstMs": ms[0], "lastMs": ms[-1]}


def measure(run, o):
    """bench/lib/timing.ts's measure(), line for line."""
    warmup = []
    w0 = now_ms()
    i = 0
    while i < max(1, o["warmup"]) or now_ms() - w0 < o["warmupMs"]:
        t0 = now_ms()
        run()
        warmup.append(now_ms() - t0)
        if warmup[i] * o["minReps"] > o["budgetMs"] / 2:
            break
        i += 1
    one = warmup[-1]
    if one * o["minReps"] > o["budgetMs"] * WARMUP_SLACK:
        return {"status": "skipped", "warmup": summarise(warmup),
                "reason": "budget: one run took %.1f s, %d runs exceed %.0f s" % (one / 1000, o["minReps"], o["budgetMs"] / 1000)}
    inner = max(1, -(-o["minRepMs"] // max(one, 1e-3)))
    inner = int(inner)
    samples = []
    cpu0 = snapshot()
    start = now_ms()
    while len(samples) < o["maxReps"]:
        t0 = now_ms()
        for _ in range(inner):
            run()
        samples.append((now_ms() - t0) / inner)
        if len(samples) >= o["minReps"] and now_ms() - start + statistics.median(samples) * inner > o["budgetMs"]:
            break
    return {"status": "ok", "medianMs": statistics.median(samples), "samplesMs": samples, "inner": inner, "warmup": summarise(warmup),
            "othersCpu": others_share(cpu0, snapshot())}


def operand(batch, rows, cols, transposed):
    lead = [batch] if batch > 1 else []
    return torch.randn(lead + [cols, rows]).transpose(-2, -1) if transposed else torch.randn(lead + [rows, cols])


def matmul_case(s):
    a = operand(s["batch"], s["m"], s["k"], s["transA"])
    b = operand(s["batch"], s["k"], s["n"], s["transB"])

    def run():
        with torch.no_grad():
            torch.matmul(a, b)
    return run


def conv_case(s):
    layers = []
    c = s["inChannels"]
    for l in s["layers"]:
        layers.append(nn.Conv2d(c, l["out"], l["kernel"]))
        c = l["out"]
    x = torch.randn(s["batch"], s["inChannels"], s["size"], s["size"])

    def forward():
        h = x
        for conv in layers:
            h = torch.relu(conv(h))
        return h

    if not s["backward"]:
        def run():
            with torch.no_grad():
                forward()
        return run

    params = [p for conv in layers for p in conv.parameters()]

    def run():
        for p in params:
            p.grad = None
        forward().sum().backward()
    return run


def lstm_case(s):
    lstm = nn.LSTM(s["input"], s["hidden"], batch_first=True)
    x = torch.randn(s["batch"], s["seq"], s["input"])

    def run():
        lstm.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        out.sum().backward()
    return run


class TextClassifier(nn.Module):
    """The seed's model, as in examples/seed-text-classifier.ts."""

    def __init__(self, c):
        super().__init__()
        self.embedding = nn.Embedding(c["vocab"], c["dModel"])
        layer = nn.TransformerEncoderLayer(c["dModel"], c["nhead"], dim_feedforward=c["ff"], dropout=c["dropout"], batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, c["layers"])
        self.fc = nn.Linear(c["dModel"], c["classes"])

    def forward(self, x):
        return self.fc(self.encoder(self.embedding(x)).mean(1))


def seed_case(s):
    c = s["model"]
    model = TextClassifier(c)
    ids = torch.randint(0, c["vocab"], (c["batch"], c["seq"]))
    if s["kind"] == "seed-infer":
        model.eval()

        def run():
            with torch.no_grad():
                model(ids)
        return run
    labels = torch.randint(0, c["classes"], (c["batch"],))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    model.train()

    def run():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(ids), labels)
        loss.backward()
        opt.step()
        loss.item()
    return run


BUILDERS = {"matmul": matmul_case, "conv": conv_case, "lstm": lstm_case, "seed-train": seed_case, "seed-infer": seed_case}


def openblas_info():
    """Core type and build of the OpenBLAS that torch loaded (torch.__config__ says only BLAS_INFO=generic)."""
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.split()[-1]})
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return {"coreType": lib.openblas_get_corename().decode(), "config": lib.openblas_get_config().decode(), "library": path}
        except (OSError, AttributeError):
            continue
    return None


def emit(mark, obj):
    sys.stdout.write(mark + json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    req = json.load(sys.stdin)
    torch.set_num_threads(2)
    config = torch.__config__.show()
    capability = next((l.split(":", 1)[1].strip() for l in config.splitlines() if "CPU capability" in l), None)
    emit(INFO_MARK, {"version": torch.__version__, "threads": torch.get_num_threads(), "cpuCapability": capability, "openblas": openblas_info()})
    for case in req["cases"]:
        torch.manual_seed(0)
        spec = case["spec"]
        try:
            run = BUILDERS[spec["kind"]](spec)
            t = measure(run, req["timing"])
        except Exception as e:  # a failing case is reported, the others still run
            emit(RESULT_MARK, {"caseId": case["id"], "engine": "torch", "status": "error", "note": ("%s: %s" % (type(e).__name__, e))[:300]})
            continue
        if t["status"] == "skipped":
            emit(RESULT_MARK, {"caseId": case["id"], "engine": "torch", "status": "skipped", "warmup": t["warmup"], "note": t["reason"]})
            continue
        per_second = case["work"] / (t["medianMs"] / 1000.0)
        value = per_second / 1e9 if case["unit"] == "GFLOPS" else per_second
        emit(RESULT_MARK, {"caseId": case["id"], "engine": "torch", "status": "ok", "medianMs": t["medianMs"], "samplesMs": t["samplesMs"],
                           "warmup": t["warmup"], "inner": t["inner"], "value": value, "othersCpu": t["othersCpu"]})


if __name__ == "__main__":
    main()
