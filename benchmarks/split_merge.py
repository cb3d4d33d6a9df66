"""Split, merge and rotate with comptoir_pdf.pages, each against the qpdf command line doing the same job.

Jobs (issue #7):
- split: a scanned PDF of 500 pages into 100 documents of 5 pages
  (qpdf --split-pages=5 in.pdf part-%d.pdf);
- merge: 100 documents of 5 pages into one (qpdf --empty --pages part-1.pdf … -- out.pdf);
- rotate: every page of the 500-page PDF by 90° (qpdf in.pdf out.pdf --rotate=+90:1-z).

Each run is its own process, so the peak memory is that job's alone: the resident-set maximum the
kernel reports for the child (os.wait4), for our worker and for qpdf alike. (The kernel counts a
child's pre-exec image too, so this driver stays small: the scan is made in a subprocess.)
Two times for our side: "process", the child's wall time from start to exit, interpreter start and
imports included (a Lambda cold start); and "job", measured inside the worker from reading the input
file to the last output written (a warm Lambda). qpdf's time is its process's. Both write object
streams (qpdf --object-streams=generate, as comptoir_pdf.pages does) and real files.
Targets: within 1.5x of qpdf, under 300 MB.
"""

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def make_scan(path: Path, pages: int, seed: int = 7) -> None:
    """A 500-page 'scan': one grey JPEG per page at about 150 dpi, paper grain and lines of 'text'."""
    import pymupdf
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    size = (1240, 1754)
    grain = Image.effect_noise(size, 6).point(lambda v: 236 + v // 16)
    document = pymupdf.open()
    for number in range(1, pages + 1):
        image = grain.copy()
        draw = ImageDraw.Draw(image)
        draw.text((80, 60), f"page {number}", fill=10)
        for row in range(45):
            y = 140 + row * 34
            draw.rectangle((80, y, 80 + rng.randrange(300, 1080), y + 12), fill=rng.randrange(15, 80))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=60)
        page = document.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=out.getvalue())
    document.save(path, garbage=3, deflate=True)


# --- the worker: one job with comptoir_pdf.pages, in its own process -----------------------------


def worker(job: str, arguments: list[str]) -> None:
    from comptoir_pdf import pages

    started = time.perf_counter()
    if job == "make-scan":
        make_scan(Path(arguments[0]), int(arguments[1]))
    elif job == "split":
        source, out_dir, size = Path(arguments[0]), Path(arguments[1]), int(arguments[2])
        body = source.read_bytes()
        total = pages.page_count(body)
        groups = [list(range(start, min(start + size, total + 1))) for start in range(1, total + 1, size)]
        for number, part in enumerate(pages.iter_split(body, groups), start=1):
            (out_dir / f"part-{number:03d}.pdf").write_bytes(part)
    elif job == "merge":
        out, inputs = Path(arguments[0]), [Path(a) for a in arguments[1:]]
        bodies = [path.read_bytes() for path in inputs]
        refs = [
            pages.PageRef(index, page)
            for index, body in enumerate(bodies)
            for page in range(1, pages.page_count(body) + 1)
        ]
        out.write_bytes(pages.merge(bodies, refs))
    elif job == "rotate":
        source, out = Path(arguments[0]), Path(arguments[1])
        body = source.read_bytes()
        out.write_bytes(pages.edit(body, rotate=dict.fromkeys(range(1, pages.page_count(body) + 1), 90)))
    else:
        raise SystemExit(f"unknown job {job}")
    print(f"job {time.perf_counter() - started:.6f}")


# --- the driver ------------------------------------------------------------------------------------


def run_measured(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, job seconds (as the worker says, else the wall) and peak resident MB of one child."""
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE)
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]}… exited with {process.returncode}")
    job = next((float(line.split()[1]) for line in output.splitlines() if line.startswith("job ")), elapsed)
    return elapsed, job, usage.ru_maxrss / 1024  # ru_maxrss is in KiB on Linux


def jobs(work: Path, scan: Path, parts: int, part_pages: int) -> dict[str, tuple[list[str], list[str], Path]]:
    """Per job: our command, qpdf's command, and the directory both write into (emptied before a run)."""
    ours_py = [sys.executable, str(HERE), "--worker"]
    split_dir = work / "split"
    merge_dir = work / "merge"
    parts_dir = work / "parts"  # inputs of the merge: the 100 documents, made once by qpdf
    inputs = sorted(str(p) for p in parts_dir.glob("*.pdf"))
    assert len(inputs) == parts, f"expected {parts} documents to merge, found {len(inputs)}"
    qpdf = ["qpdf", "--object-streams=generate"]
    return {
        "split": (
            [*ours_py, "split", str(scan), str(split_dir), str(part_pages)],
            [*qpdf, f"--split-pages={part_pages}", str(scan), str(split_dir / "part-%d.pdf")],
            split_dir,
        ),
        "merge": (
            [*ours_py, "merge", str(merge_dir / "merged.pdf"), *inputs],
            [*qpdf, "--empty", "--pages", *inputs, "--", str(merge_dir / "merged.pdf")],
            merge_dir,
        ),
        "rotate": (
            [*ours_py, "rotate", str(scan), str(merge_dir / "rotated.pdf")],
            [*qpdf, str(scan), str(merge_dir / "rotated.pdf"), "--rotate=+90:1-z"],
            merge_dir,
        ),
    }


def output_mb(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.glob("*.pdf")) / 1e6


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=500, help="pages of the scanned PDF (500)")
    parser.add_argument("--parts", type=int, default=100, help="documents to split into and merge (100)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each job; the median is shown (3)")
    parser.add_argument("--work", type=Path, help="where the scan and outputs go (a temporary folder)")
    args = parser.parse_args()
    if shutil.which("qpdf") is None:
        raise SystemExit("qpdf is missing: run scripts/system-packages as root")
    if args.pages % args.parts:
        raise SystemExit("--pages must be a multiple of --parts")
    part_pages = args.pages // args.parts

    work = args.work or Path(tempfile.mkdtemp(prefix="comptoir-split-merge-"))
    work.mkdir(parents=True, exist_ok=True)
    scan = work / f"scan-{args.pages}.pdf"
    if not scan.exists():
        print(f"making a {args.pages}-page scan in {scan} …", flush=True)
        subprocess.run(
            [sys.executable, str(HERE), "--worker", "make-scan", str(scan), str(args.pages)], check=True
        )
    parts_dir = work / "parts"
    if len(list(parts_dir.glob("*.pdf"))) != args.parts:
        shutil.rmtree(parts_dir, ignore_errors=True)
        parts_dir.mkdir()
        subprocess.run(
            ["qpdf", f"--split-pages={part_pages}", str(scan), str(parts_dir / "doc-%d.pdf")], check=True
        )
    print(f"scan: {args.pages} pages, {scan.stat().st_size / 1e6:.1f} MB; {args.parts} documents to merge")

    floor_mb = run_measured(["true"])[2]
    rows = []
    for job, (ours, theirs, out_dir) in jobs(work, scan, args.parts, part_pages).items():
        measured: dict[str, list[tuple[float, float, float]]] = {"ours": [], "qpdf": []}
        sizes = {}
        for _ in range(args.runs):
            for who, command in (("qpdf", theirs), ("ours", ours)):
                shutil.rmtree(out_dir, ignore_errors=True)
                out_dir.mkdir()
                measured[who].append(run_measured(command))
                sizes[who] = output_mb(out_dir)
        ours_process = statistics.median(m[0] for m in measured["ours"])
        ours_job = statistics.median(m[1] for m in measured["ours"])
        qpdf_s = statistics.median(m[0] for m in measured["qpdf"])
        ours_mb = max(m[2] for m in measured["ours"])
        qpdf_mb = max(m[2] for m in measured["qpdf"])
        rows.append((job, ours_job, ours_process, qpdf_s, ours_mb, qpdf_mb, sizes["ours"], sizes["qpdf"]))

    print(
        "| job    | ours job s | ours process s | qpdf s | ratio job | ratio process "
        "| ours peak MB | qpdf peak MB | ours out MB | qpdf out MB |"
    )
    print(
        "| ------ | ---------- | -------------- | ------ | --------- | ------------- "
        "| ------------ | ------------ | ----------- | ----------- |"
    )
    for job, ours_job, ours_process, qpdf_s, ours_mb, qpdf_mb, ours_out, qpdf_out in rows:
        print(
            f"| {job:<6} | {ours_job:10.2f} | {ours_process:14.2f} | {qpdf_s:6.2f} | {ours_job / qpdf_s:9.2f} "
            f"| {ours_process / qpdf_s:13.2f} | {ours_mb:12.0f} | {qpdf_mb:12.0f} | {ours_out:11.1f} "
            f"| {qpdf_out:11.1f} |"
        )
    print(
        f"{args.runs} runs each: median times, maximum memory (a child of this driver starts at "
        f"{floor_mb:.0f} MB); work folder {work}"
    )


if __name__ == "__main__":
    main()
