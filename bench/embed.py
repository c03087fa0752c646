"""Embedding speed, memory and the budget policy, on generated 4-minute songs.

    .venv/bin/python bench/embed.py [--budget-songs 12] [--repeats 5]

Prints figures; asserts nothing. Timings are given as the best and the median of repeated
runs, with the CPU that other processes took meanwhile: on a shared two-core machine the best
run is the one closest to an idle worker. Measures, on 44.1 kHz stereo songs made in code:

- model only: milliseconds per 3-second patch at batch 1, 4, 8 and 16;
- end to end, whole-song analysis (decode + resample + log-mel + model): seconds of audio per
  second of wall time, for FLAC, Ogg Vorbis and MP3 (target >= 80x);
- songs per minute with the default patch budget (target >= 200);
- how close a budget of N patches comes to the whole song (cosine), to choose the default;
- peak resident memory of a fresh process that has embedded 20 minutes of audio.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The ml modules (librosa, TensorFlow) are imported only after the memory measurement's child
# process has started: Linux hands a child the parent's peak RSS as its own starting ru_maxrss.

SR = 44100
SONG_SECONDS = 240
THREADS = {"intra_op_threads": 2, "inter_op_threads": 1}
FORMATS = {
    "flac": {},
    "ogg": {"format": "OGG", "subtype": "VORBIS"},
    "mp3": {"format": "MP3", "subtype": "MPEG_LAYER_III"},
}
BUDGETS = (1, 2, 3, 5, 8, 10, 15, 20)


def synthetic_song(seconds: float, seed: int) -> np.ndarray:
    """A pop-shaped song: sections of 8 bars in which pad, bass, drums, lead and a noise bed
    come and go over a four-chord loop, with a quiet intro and outro. (n, 2) float32 at SR.

    Synthesised at SR / 2 in float32 and resampled, to keep generation to a few seconds;
    nothing above 11 kHz matters to a model that hears 16 kHz audio.
    """
    rng = np.random.default_rng(seed)
    sr = SR // 2
    n = int(seconds * sr)
    t = np.arange(n, dtype=np.float32) / np.float32(sr)
    beat = np.float32(60.0 / rng.uniform(80, 160))
    beat_index = (t // beat).astype(np.int32)
    in_beat = t - beat_index * beat
    bar = beat_index // 4
    section = bar // 8
    plays = rng.random((section.max() + 1, 5)) < [0.9, 0.8, 0.75, 0.6, 0.4]
    plays[0] = plays[-1] = [True, False, False, False, False]
    plays = plays[section].T.astype(np.float32)

    key = 110.0 * 2 ** (rng.integers(0, 12) / 12)
    root = key * 2 ** (rng.choice([0, 3, 5, 7, 8, 10], 4) / 12)
    cycles = (np.cumsum(root[bar % 4]) / sr) % 1.0  # float64 sum, so the phase stays exact
    phase = (2 * np.pi * cycles).astype(np.float32)
    harmonics = int(rng.integers(2, 5))
    pad = sum(
        np.sin(np.float32(k * ratio) * phase) / k
        for ratio in (1.0, 2 ** (rng.choice([3, 4]) / 12), 1.5)
        for k in range(1, harmonics + 1)
    )
    bass = np.tanh(np.float32(rng.uniform(1, 5)) * np.sin(phase / 2)) * np.exp(-in_beat * 4)
    drums = (beat_index % 2 == 0) * np.exp(-in_beat * 18) * np.sin(2 * np.pi * 55 * in_beat)
    noise = rng.standard_normal(n, dtype=np.float32)
    drums += (beat_index % 2 == 1) * np.exp(-in_beat * 22) * noise * 0.5
    hat = np.exp(-(t % (beat / 2)) * 90) * np.diff(noise, prepend=0)
    drums += 0.15 * hat
    scale = key * 4 * 2 ** (np.array([0, 2, 4, 7, 9, 12]) / 12)
    melody = scale[rng.integers(0, 6, 2 * beat_index.max() + 2)][(t // (beat / 2)).astype(int)]
    lead = np.sin((2 * np.pi * (np.cumsum(melody) / sr % 1.0)).astype(np.float32))
    bed = np.convolve(np.roll(noise, 12345), np.ones(8, np.float32) / 8, mode="same")

    mono = 0.15 * pad * plays[0] + 0.3 * bass * plays[1] + 0.5 * drums * plays[2]
    mono += 0.15 * lead * plays[3] + 0.1 * bed * plays[4]
    side = 0.03 * hat * plays[2]
    stereo = soxr.resample(np.stack([mono + side, mono - side], axis=1), sr, SR)
    return (0.9 * stereo / np.abs(stereo).max()).astype(np.float32)


def write(path: Path, samples: np.ndarray, **options) -> Path:
    # One sf.write of a long signal crashes libsndfile's Vorbis encoder; blocks do not.
    with sf.SoundFile(path, "w", SR, samples.shape[1], **options) as out:
        for first in range(0, len(samples), 65536):
            out.write(samples[first : first + 65536])
    return path


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-songs", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--generate", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--memory-child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate[0]), int(args.generate[1]))
        return
    if args.memory_child:
        memory_child(args.memory_child)
        return

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; threads {THREADS}")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        start = time.perf_counter()
        # Generated in a child process so that this one stays small (see memory_child).
        run_self("--generate", str(folder), str(args.budget_songs))
        flacs = [folder / f"song{i}.flac" for i in range(args.budget_songs)]
        files = {name: folder / f"song0.{name}" for name in FORMATS}
        print(
            f"generated {len(flacs)} songs + 2 re-encodings in {time.perf_counter() - start:.0f} s"
        )

        print("\nMemory of a fresh process embedding 20 minutes (whole-song analysis):")
        print(f"  (inherited from this launcher: {peak_rss_mib():.0f} MiB)")
        print(run_self("--memory-child", *map(str, (flacs * 5)[:5])), end="")

        from ml.analysis import DEFAULT_PATCH_BUDGET, analyse_file
        from ml.backbone import load_backbone

        backbone = load_backbone(**THREADS, batch_size=8)
        for path in files.values():  # warm the model and each decoder once
            analyse_file(path, backbone=backbone, patch_budget=2)

        print("\nModel only (frozen MSD musicnn graph):")
        model_only(backbone, repeats=5)
        print("\nEnd to end, whole-song analysis:")
        end_to_end(backbone, files, repeats=args.repeats)
        print(f"\nPatch budgets on 4-minute songs (default {DEFAULT_PATCH_BUDGET}):")
        runs = [(name, path, DEFAULT_PATCH_BUDGET) for name, path in files.items()]
        runs += [("flac", files["flac"], budget) for budget in (5, 15)]
        songs_per_minute(backbone, runs, repeats=10)
        print("\nBudget against whole song:")
        budget_study(backbone, flacs)
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")


def generate(folder: Path, count: int) -> None:
    for seed in range(count):
        song = synthetic_song(SONG_SECONDS, seed)
        write(folder / f"song{seed}.flac", song)
        if seed == 0:
            for name in ("ogg", "mp3"):
                write(folder / f"song0.{name}", song, **FORMATS[name])


def run_self(*arguments: str) -> str:
    command = [sys.executable, __file__, *arguments]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(action, repeats: int) -> tuple[float, float, float]:
    """Run `action` `repeats` times. Returns the best and median wall seconds and the CPU (in
    cores) other processes used meanwhile, read from /proc/stat, so a busy machine shows."""
    times = []
    busy_before, own_before, wall_before = _machine_busy_s(), time.process_time(), time.time()
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    wall = time.time() - wall_before
    others = (_machine_busy_s() - busy_before - (time.process_time() - own_before)) / wall
    return min(times), statistics.median(times), max(others, 0.0)


def _machine_busy_s() -> float:
    """CPU seconds all processes have used since boot (Linux)."""
    with open("/proc/stat") as stat:
        ticks = [int(field) for field in stat.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def model_only(backbone, repeats: int) -> None:
    from ml.spectrogram import PATCH_FRAMES

    patches = np.random.default_rng(0).uniform(0, 3, (32, PATCH_FRAMES, 96)).astype(np.float32)
    for batch in (1, 4, 8, 16):
        backbone.predict(patches[:batch])  # TensorFlow specialises per batch shape once

        def run(batch=batch):
            for first in range(0, len(patches), batch):
                backbone.predict(patches[first : first + batch])

        best, median, others = timed(run, repeats)
        print(
            f"  batch {batch:2d}: {best / len(patches) * 1000:5.1f} ms per patch best, "
            f"{median / len(patches) * 1000:5.1f} median ({3 * len(patches) / best:4.0f}x "
            f"realtime at best); other processes {others:.1f} cores"
        )


def end_to_end(backbone, files: dict[str, Path], repeats: int) -> None:
    from ml.analysis import analyse_file

    for name, path in files.items():
        best, median, others = timed(
            lambda path=path: analyse_file(path, backbone=backbone, patch_budget=None), repeats
        )
        print(
            f"  {name:5s}: {best:5.2f} s best, {median:5.2f} median per 4-minute song: "
            f"{SONG_SECONDS / best:5.1f}x realtime at best, {SONG_SECONDS / median:5.1f}x median;"
            f" other processes {others:.1f} cores"
        )


def songs_per_minute(backbone, runs: list[tuple[str, Path, int]], repeats: int) -> None:
    from ml.analysis import analyse_file

    for name, path, budget in runs:
        best, median, others = timed(
            lambda path=path, budget=budget: analyse_file(
                path, backbone=backbone, patch_budget=budget
            ),
            repeats,
        )
        print(
            f"  {name:5s} budget {budget:2d}: {best * 1000:4.0f} ms best, {median * 1000:4.0f} "
            f"median per song: {60 / best:4.0f} songs per minute at best, {60 / median:4.0f} "
            f"median; other processes {others:.1f} cores"
        )


def budget_study(backbone, paths: list[Path]) -> None:
    from ml.analysis import analyse_file
    from ml.backbone import fit_standardisation, standardise

    full = np.stack(
        [analyse_file(p, backbone=backbone, patch_budget=None).embedding for p in paths]
    )
    mean, std = fit_standardisation(full)
    full_z = standardise(full, mean, std)
    print(
        f"  {len(paths)} songs of {SONG_SECONDS // 60} min ({SONG_SECONDS // 3} patches); "
        "cosine of the budgeted embedding to the whole-song one, raw and z-scored "
        "(statistics of the whole-song embeddings), and how often the budgeted embedding's "
        "nearest whole-song embedding (z-scored cosine) is its own song:"
    )
    print("  budget  raw mean   raw min  z mean    z min  own song first")
    for budget in BUDGETS:
        budgeted = np.stack(
            [analyse_file(p, backbone=backbone, patch_budget=budget).embedding for p in paths]
        )
        budgeted_z = standardise(budgeted, mean, std)
        raw = [cosine(a, b) for a, b in zip(budgeted, full, strict=True)]
        z = [cosine(a, b) for a, b in zip(budgeted_z, full_z, strict=True)]
        unit = full_z / np.linalg.norm(full_z, axis=1, keepdims=True)
        nearest = np.argmax(budgeted_z @ unit.T, axis=1)
        own = float(np.mean(nearest == np.arange(len(paths))))
        print(
            f"  {budget:6d}  {np.mean(raw):8.4f}  {np.min(raw):8.4f}  {np.mean(z):6.3f}  "
            f"{np.min(z):7.3f}  {own:14.2f}"
        )


def memory_child(paths: list[str]) -> None:
    """Run in a fresh process: embed the files whole, print peak RSS along the way."""
    from ml.analysis import analyse_file
    from ml.backbone import load_backbone

    backbone = load_backbone(**THREADS)
    peak_mib = peak_rss_mib

    print(f"  after loading the model:        {peak_mib():6.0f} MiB peak RSS")
    seconds = 0.0
    for index, path in enumerate(paths):
        seconds += analyse_file(path, backbone=backbone, patch_budget=None).duration_s
        if index == 0:
            print(
                f"  after {seconds / 60:4.0f} minutes of audio:      {peak_mib():6.0f} MiB peak RSS"
            )
    print(f"  after {seconds / 60:4.0f} minutes of audio:      {peak_mib():6.0f} MiB peak RSS")


if __name__ == "__main__":
    main()
