"""Confinement of the processes that evaluate queries and updates: no network, no files beyond their own.

pyoxigraph evaluates ``SERVICE`` (and ``LOAD <http…>`` in updates) by making HTTP requests, and has no
switch to turn that off. Checks of the query text come first, but the process itself is made unable to
reach another host or read a file it does not need, by two layers of the Linux kernel, installed once
by :func:`confine` when a worker starts (after it has opened its store and pipe):

- **seccomp** (through libseccomp, :mod:`pyseccomp`): ``socket()`` fails with ``EACCES`` for every
  address family, ``AF_UNIX`` included — the process talks to the service only through the pipe it was
  started with, so it never needs a new socket, and without one it cannot reach a local daemon either.
  ``io_uring`` (whose operations, sockets included, never pass the seccomp filter) fails with ``EPERM``; so does any
  system call of another ABI (32-bit ``socketcall``, x32), which this filter does not describe.
- **Landlock** (the kernel's unprivileged access control; its three system calls are called through
  ctypes here: the Python bindings on PyPI — ``landlock`` 1.0.0.dev5 and younger ones — are alphas,
  and the most used handles neither TCP rules nor scopes and reads errors from ``errno`` alone):
  files and folders can be opened only beneath the allowed paths — read-only: the Python installation,
  its site-packages and this package (lazy imports), the system's shared libraries, ``/dev/null`` and
  ``/dev/urandom``, and what the caller names in ``read``; read-write: what the caller names in ``write``.
  Everything else (``/etc``, home folders, ``/proc``…) cannot be opened. Where the kernel offers it
  (Landlock ABI 4+), TCP ``connect``/``bind`` are denied too (a second layer under seccomp; except the
  ports named in ``connect_ports``), and (ABI 6+) abstract UNIX sockets and signals outside the process.

``WORKFORCE_KG_SANDBOX`` says what happens where a layer is missing: ``require`` (the default on Linux)
refuses to start the worker, ``best-effort`` starts it with the layers there are and logs what is
missing, ``off`` skips confinement (for debugging; never in production).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import logging
import os
import site
import socket
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

from workforce_kg.paths import DATA, PACKAGE_DIR, QUERIES_DIR

log = logging.getLogger("workforce_kg.sandbox")

MODES = ("require", "best-effort", "off")


class SandboxError(RuntimeError):
    """A layer of confinement could not be installed while ``require`` was asked."""


def default_mode() -> str:
    """``WORKFORCE_KG_SANDBOX`` if set, else ``require`` on Linux, ``off`` elsewhere (no layer exists there)."""
    from workforce_kg.config import Settings  # here, not at the top: the workers need no pydantic

    return Settings.from_env().sandbox


def bound_memory(limit: int) -> None:
    """Cap this process's data segment (heap and private anonymous mappings: ``RLIMIT_DATA``) at ``limit``
    bytes: past it, allocations fail (Python raises MemoryError; Rust code aborts the process)."""
    import resource

    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))


def confine(
    read: Iterable[Path | str] = (),
    write: Iterable[Path | str] = (),
    *,
    mode: str | None = None,
    connect_ports: Iterable[int] = (),
) -> list[str]:
    """Confine this process for good (it cannot be undone, and children inherit it).

    Args:
        read: folders or files the process may read besides Python's own (see the module docstring).
        write: folders or files it may also write, create and delete in.
        mode: ``require``, ``best-effort`` or ``off`` (None: :func:`default_mode`).
        connect_ports: TCP ports it may connect to (a remote store's); when not empty, INET sockets are
            allowed by seccomp and only these ports by Landlock.
    Returns:
        The layers installed, e.g. ``["seccomp", "landlock-fs", "landlock-net", "landlock-scope"]``.
    Raises:
        SandboxError: in ``require`` mode, a layer could not be installed.
    """
    mode = mode or default_mode()
    if mode not in MODES:
        raise SandboxError(f"WORKFORCE_KG_SANDBOX must be one of {', '.join(MODES)} (got {mode!r})")
    if mode == "off":
        log.warning("process %d runs unconfined (WORKFORCE_KG_SANDBOX=off)", os.getpid())
        return []
    ports = sorted(set(connect_ports))
    layers: list[str] = []
    missing: list[str] = []
    _no_new_privs()
    with contextlib.suppress(ImportError):  # before Landlock: importing it looks for a temporary folder
        import pyseccomp  # noqa: F401
    for name, install in (
        ("landlock", lambda: _landlock(read, write, ports)),
        ("seccomp", lambda: _seccomp(allow_inet=bool(ports))),
    ):
        try:
            layers += install()
        except (OSError, ImportError, AttributeError, RuntimeError) as exc:
            missing.append(f"{name} ({exc})")
    if mode == "require" and (missing or "landlock-fs" not in layers):
        raise SandboxError(
            "cannot confine the worker: "
            + "; ".join(missing or ["landlock-fs unavailable"])
            + " (set WORKFORCE_KG_SANDBOX=best-effort to run without)"
        )
    if missing:
        log.warning(
            "process %d confined by %s only; missing: %s",
            os.getpid(),
            ", ".join(layers) or "nothing",
            "; ".join(missing),
        )
    else:
        log.info("process %d confined: %s", os.getpid(), ", ".join(layers))
    return layers


# -- seccomp -------------------------------------------------------------------------------------------


def _seccomp(allow_inet: bool) -> list[str]:
    """Deny new sockets (all families, or all but INET/INET6 when ``allow_inet``) and io_uring."""
    import pyseccomp as sc

    f = sc.SyscallFilter(sc.ALLOW)
    f.set_attr(sc.Attr.ACT_BADARCH, sc.ERRNO(errno.EPERM))  # syscalls of other ABIs (i386 socketcall, x32)
    if allow_inet:  # every family but AF_INET and AF_INET6 (a rule cannot compare one argument twice)
        for family in (*range(socket.AF_INET), *range(socket.AF_INET + 1, socket.AF_INET6)):
            f.add_rule(sc.ERRNO(errno.EACCES), "socket", sc.Arg(0, sc.EQ, family))
        f.add_rule(sc.ERRNO(errno.EACCES), "socket", sc.Arg(0, sc.GT, socket.AF_INET6))
    else:
        f.add_rule(sc.ERRNO(errno.EACCES), "socket")
    f.add_rule(sc.ERRNO(errno.EACCES), "socketpair")
    for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
        f.add_rule(sc.ERRNO(errno.EPERM), call)
    f.load()
    return ["seccomp"]


# -- Landlock ------------------------------------------------------------------------------------------

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # the same numbers on every architecture
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH, _RULE_NET_PORT = 1, 2
_PR_SET_NO_NEW_PRIVS = 38

# access rights to files (linux/landlock.h), by the ABI that added them
_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_FS_ABI1 = (1 << 13) - 1  # EXECUTE … MAKE_SYM
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1, 2
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1, 2
_FILE_RIGHTS = _EXECUTE | _WRITE_FILE | _READ_FILE | _TRUNCATE | _IOCTL_DEV  # those a rule on a file may hold


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1  # __attribute__((packed)) in the kernel's header
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


class _NetPortAttr(ctypes.Structure):
    _fields_ = [("allowed_access", ctypes.c_uint64), ("port", ctypes.c_uint64)]


_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


def _syscall(number: int, *args) -> int:
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return result


def _no_new_privs() -> None:
    """Required by both layers for an unprivileged process (and harmless for root)."""
    if _libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        err = ctypes.get_errno()
        raise SandboxError(f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(err)}")


def landlock_abi() -> int:
    """The Landlock ABI version the kernel offers (0: none)."""
    try:
        return _syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION))
    except OSError:
        return 0


def python_paths() -> list[Path]:
    """Where Python and the installed packages live (read for lazy imports): the installation, its
    site-packages, the entries of ``sys.path`` that modules were imported from (``PYTHONPATH``, a
    checkout), this package and its bundled Turtle (in a checkout, links to the repository's folders).
    Never ``/`` nor an entry nothing was imported from (such as the working folder)."""
    paths = {
        Path(p).resolve()
        for p in (
            sys.prefix,
            sys.base_prefix,
            sys.exec_prefix,
            sys.base_exec_prefix,
            *site.getsitepackages(),
            *sysconfig.get_paths().values(),
        )
        if p
    }
    if site.ENABLE_USER_SITE and site.getusersitepackages():
        paths.add(Path(site.getusersitepackages()).resolve())
    roots = {
        _import_root(name, f)
        for name, m in list(sys.modules.items())
        if isinstance(f := getattr(m, "__file__", None), str) and name != "__main__"
    }
    paths |= {Path(entry or ".").resolve() for entry in sys.path} & roots
    paths |= {PACKAGE_DIR, QUERIES_DIR.resolve(), *(p.resolve() for p in DATA.iterdir())}
    return sorted(p for p in paths if p.exists() and p != Path(p.anchor))


def _import_root(name: str, file: str) -> Path:
    """The ``sys.path`` entry module ``name`` was imported from (``/x`` for ``a.b`` in ``/x/a/b.py``)."""
    path = Path(os.path.abspath(file))
    depth = name.count(".") + (path.stem == "__init__")
    return path.parents[depth].resolve() if depth < len(path.parents) else path.parent.resolve()


SYSTEM_READ = ("/usr/lib", "/lib", "/lib64", "/usr/lib64", "/usr/local/lib")  # shared libraries (dlopen)
DEVICES = ("/dev/null", "/dev/urandom", "/dev/zero")


def _landlock(read: Iterable[Path | str], write: Iterable[Path | str], ports: list[int]) -> list[str]:
    abi = landlock_abi()
    if abi < 1:
        raise OSError(errno.ENOSYS, "Landlock is not available in this kernel")
    fs = _FS_ABI1 | (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0) | (_IOCTL_DEV if abi >= 5 else 0)
    attr = _RulesetAttr(
        fs,
        (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
        (_SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    size = 8 if abi < 4 else 16 if abi < 6 else 24  # what this ABI's struct holds
    ruleset = _syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        reading = _READ_FILE | _READ_DIR
        writing = fs & ~(_EXECUTE | (1 << 6) | (1 << 11))  # not execute, nor make char/block devices
        allowed = [(p, reading) for p in (*python_paths(), *SYSTEM_READ, *DEVICES, *read)]
        allowed += [(p, writing) for p in write]
        for path, access in allowed:
            _allow_path(ruleset, Path(path), access & fs)
        for port in ports:
            if abi >= 4:
                rule = _NetPortAttr(_NET_CONNECT_TCP, port)
                _syscall(_ADD_RULE, ruleset, ctypes.c_int(_RULE_NET_PORT), ctypes.byref(rule), ctypes.c_uint32(0))
        _syscall(_RESTRICT_SELF, ruleset, ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return ["landlock-fs"] + (["landlock-net"] if abi >= 4 else []) + (["landlock-scope"] if abi >= 6 else [])


def _allow_path(ruleset: int, path: Path, access: int) -> None:
    """Allow ``access`` beneath ``path`` (only the file rights when it is a file); skip a missing path."""
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not path.is_dir():
            access &= _FILE_RIGHTS
        rule = _PathBeneathAttr(access, fd)
        _syscall(_ADD_RULE, ruleset, ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0))
    finally:
        os.close(fd)
