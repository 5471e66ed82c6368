# SPDX-License-Identifier: MIT
"""The commands: each runs the azlmigrate binary with JSON out, never reading its human text.

The binary is $AZLMIGRATE_BIN, else "azlmigrate" on PATH. For clusters, azlmigrate runs az and
kubectl itself; $AZLMIGRATE_AZ and $AZLMIGRATE_KUBECTL, when set, name other programs for it (the
tests point them at a simulated cluster).
"""
import json
import os
import shutil
import subprocess
import tempfile

from knack.util import CLIError

INHIBITED = 3  # azlmigrate's exit status: written, and the migration is inhibited


def _binary():
    path = os.environ.get("AZLMIGRATE_BIN") or shutil.which("azlmigrate")
    if not path:
        raise CLIError("azlmigrate is not installed: put it on PATH or set AZLMIGRATE_BIN")
    return path


def _tools():
    args = []
    if os.environ.get("AZLMIGRATE_AZ"):
        args += ["--az", os.environ["AZLMIGRATE_AZ"]]
    if os.environ.get("AZLMIGRATE_KUBECTL"):
        args += ["--kubectl", os.environ["AZLMIGRATE_KUBECTL"]]
    return args


def _fail(args, proc_stderr, code):
    # azlmigrate says what went wrong in one or two lines on stderr: passed on as they are.
    message = (proc_stderr or "").strip() or "azlmigrate %s exited %d" % (args[0], code)
    raise CLIError(message)


def _run_json(args, allow_inhibited=True):
    """Runs azlmigrate with args; returns its stdout parsed as JSON."""
    proc = subprocess.run([_binary()] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    if proc.returncode != 0 and not (allow_inhibited and proc.returncode == INHIBITED):
        _fail(args, proc.stderr, proc.returncode)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise CLIError("azlmigrate %s printed no JSON" % args[0])


def _run_file(args, suffix=".json"):
    """Runs azlmigrate with args plus -o TMP; returns what it wrote (text)."""
    fd, path = tempfile.mkstemp(prefix="azlmigrate-", suffix=suffix)
    os.close(fd)
    try:
        proc = subprocess.run([_binary()] + args + ["-o", path], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, check=False)
        if proc.returncode not in (0, INHIBITED):
            _fail(args, proc.stderr, proc.returncode)
        with open(path) as f:
            return f.read()
    finally:
        os.unlink(path)


def _save(output_file, text):
    if output_file:
        with open(output_file, "w") as f:
            f.write(text)


def _run_with_progress(cmd, args):
    """Runs a mutating azlmigrate verb with --progress json on a pipe, driving az's progress
    indicator from its NDJSON events. Returns the exit status and the stderr text."""
    read_fd, write_fd = os.pipe()
    progress = cmd.cli_ctx.get_progress_controller(det=True)
    try:
        proc = subprocess.Popen([_binary()] + args + ["--yes", "--progress-fd", str(write_fd)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, pass_fds=(write_fd,),
                                universal_newlines=True)
    except OSError as e:
        os.close(read_fd)
        os.close(write_fd)
        raise CLIError("cannot run azlmigrate: %s" % e)
    os.close(write_fd)
    progress.begin()
    with os.fdopen(read_fd) as events:
        for line in events:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            kind = ev.get("event")
            if kind == "step-start":
                progress.add(message="%s (%s of %s)" % (ev.get("step"), ev.get("index"), ev.get("count")),
                             value=ev.get("index", 1) - 1, total_val=ev.get("count", 1))
            elif kind == "step-end":
                progress.add(message="%s %s" % (ev.get("step"), ev.get("state")),
                             value=ev.get("index", 1), total_val=ev.get("count", 1))
    err = proc.stderr.read()
    code = proc.wait()
    progress.end()
    return code, err


def _status(state_dir):
    return _run_json(["status", "--state-dir", state_dir, "--format", "json"], allow_inhibited=False)


def _mode(state_dir):
    return _status(state_dir).get("source", {}).get("mode")


def _cluster_args(resource_group_name, cluster_name, snapshot):
    if snapshot:
        if resource_group_name or cluster_name:
            raise CLIError("give either --snapshot or --resource-group and --name")
        return ["--snapshot", snapshot]
    if not (resource_group_name and cluster_name):
        raise CLIError("give --resource-group and --name (or --snapshot, or --disk)")
    return ["-g", resource_group_name, "-n", cluster_name] + _tools()


_TUNING = (("soak", "--soak"), ("poll_interval", "--poll-interval"), ("wait_timeout", "--wait-timeout"),
           ("drain_batch", "--drain-batch"), ("drain_timeout", "--drain-timeout"))


def osmigrate_plan(cmd, resource_group_name=None, cluster_name=None, snapshot=None, disk=None, pools=None,
                   strategy=None, output_file=None, soak=None, poll_interval=None, wait_timeout=None,
                   drain_batch=None, drain_timeout=None):
    tuning = locals()
    if disk:
        args = ["plan", disk] + (["--strategy", strategy] if strategy else [])
    else:
        args = ["nodepool", "plan"] + _cluster_args(resource_group_name, cluster_name, snapshot)
        args += ["--strategy", strategy or "ossku-update"]
        for p in pools or []:
            args += ["--pool", p]
        for name, option in _TUNING:
            if tuning[name] is not None:
                args += [option, str(tuning[name])]
    text = _run_file(args)
    _save(output_file, text)
    return json.loads(text)


def osmigrate_analyze(cmd, resource_group_name=None, cluster_name=None, snapshot=None, disk=None, pools=None,
                      strategy=None, output_file=None):
    plan = osmigrate_plan(cmd, resource_group_name, cluster_name, snapshot, disk, pools, strategy)
    fd, path = tempfile.mkstemp(prefix="azlmigrate-plan-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(plan, f)
    try:
        text = _run_file(["report", "--plan", path, "--format", "json"])
    finally:
        os.unlink(path)
    _save(output_file, text)
    return json.loads(text)


def osmigrate_report(cmd, plan_file, report_format="json", output_file=None):
    if report_format not in ("json", "md", "html"):
        raise CLIError("--format: json, md or html")
    text = _run_file(["report", "--plan", plan_file, "--format", report_format],
                     suffix="." + report_format)
    _save(output_file, text)
    return json.loads(text) if report_format == "json" else {"format": report_format, "report": text}


def osmigrate_apply(cmd, plan_file, state_dir=None, disk=None, target=None, confirm_delete=False, overrides=None,
                    dry_run=False):
    with open(plan_file) as f:
        plan = json.load(f)
    nodepool = plan.get("subject") == "nodepool"
    if dry_run:
        return plan
    if not state_dir:
        raise CLIError("--state-dir is required")
    if nodepool:
        args = ["nodepool", "apply", plan_file, "--state-dir", state_dir] + _tools()
        if confirm_delete:
            args.append("--confirm-delete")
    else:
        if not (disk and target):
            raise CLIError("a disk plan needs --disk and --target")
        args = ["apply", plan_file, disk, "--target", target, "--state-dir", state_dir]
    for k in overrides or []:
        args += ["--override", k]
    code, err = _run_with_progress(cmd, args)
    if code != 0:
        _fail(args, err, code)
    return _status(state_dir)


def osmigrate_status(cmd, state_dir):
    return _status(state_dir)


def osmigrate_resume(cmd, state_dir, confirm_delete=False):
    if _mode(state_dir) == "cluster":
        args = ["nodepool", "resume", "--state-dir", state_dir] + _tools()
        if confirm_delete:
            args.append("--confirm-delete")
    else:
        args = ["resume", "--state-dir", state_dir]
    code, err = _run_with_progress(cmd, args)
    if code != 0:
        _fail(args, err, code)
    return _status(state_dir)


def osmigrate_rollback(cmd, state_dir, to=None):
    if _mode(state_dir) == "cluster":
        args = ["nodepool", "rollback", "--state-dir", state_dir] + _tools()
    else:
        args = ["rollback", "--state-dir", state_dir]
    if to:
        args += ["--to", to]
    code, err = _run_with_progress(cmd, args)
    if code != 0:
        _fail(args, err, code)
    return _status(state_dir)
