"""Lamina's bootstrap for the python3.x runtimes. It runs inside the sandbox, where Lamina
itself is not importable, so it uses nothing but the standard library.

It waits on the private channel (fd in _LAMINA_CHANNEL_FD) to be specialized to one function
(environment variables, handler), imports the handler (the function's init), then serves one
invocation at a time until Lamina closes the channel or ends the sandbox.
"""

import importlib
import json
import logging
import os
import resource
import socket
import struct
import sys
import time
import traceback

_LENGTH = struct.Struct(">I")


class Channel:
    """The same framing as lamina/execution/channel.py, on a blocking socket."""

    def __init__(self, fd):
        self.sock = socket.socket(fileno=fd)
        # Buffered: a frame's length and the frame itself come in one recv, not two.
        self._reader = self.sock.makefile("rb", buffering=1 << 16)

    def receive(self):
        length = _LENGTH.unpack(self._exactly(4))[0]
        message = self._exactly(length)
        head_end = 5 + _LENGTH.unpack_from(message, 1)[0]
        return message[:1], json.loads(message[5:head_end]), message[head_end:]

    def send(self, kind, header, body=b""):
        head = json.dumps(header, separators=(",", ":")).encode()
        message = kind + _LENGTH.pack(len(head)) + head + body
        self.sock.sendall(_LENGTH.pack(len(message)) + message)

    def _exactly(self, count):
        data = self._reader.read(count)
        if len(data) < count:
            raise SystemExit(0)  # Lamina closed the channel: this environment is retired
        return data


class LambdaContext:
    """The context object, with the attributes and method AWS's Python runtime gives."""

    def __init__(self, header):
        env = os.environ
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = header.get("invoked_function_arn")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.aws_request_id = header["request_id"]
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = _Namespace(header.get("identity"))
        self.client_context = _client_context(header.get("client_context"))
        self._deadline_ms = header["deadline_ms"]

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


class _Namespace:
    def __init__(self, values):
        for key, value in (values or {}).items():
            setattr(self, key, value)


class ClientContext:
    def __init__(self, value):
        self.client = _Namespace(value.get("client"))
        self.custom = value.get("custom")
        self.env = value.get("env")


def _client_context(value):
    return ClientContext(value) if value else None


def error_of(exc, error_type=None):
    trace = traceback.extract_tb(exc.__traceback__)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(trace),
    }


def runtime_error(error_type, message, request_id=""):
    """An error of the runtime's own (not raised by the function), as Lambda writes it."""
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": [],
    }


def load_handler(handler):
    """'pkg/mod.fn' or 'pkg.mod.fn' → the function, with AWS's errors for each failure."""
    module_path, _, function_name = handler.rpartition(".")
    if not module_path or not function_name:
        message = f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)"
        return None, runtime_error("Runtime.MalformedHandlerName", message)
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        message = f"Unable to import module '{module_name}': {exc}"
        return None, runtime_error("Runtime.ImportModuleError", message)
    except SyntaxError as exc:
        return None, error_of(exc, "Runtime.UserCodeSyntaxError")
    except Exception as exc:  # the function's own init failed
        return None, error_of(exc)
    function = getattr(module, function_name, None)
    if function is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        return None, runtime_error("Runtime.HandlerNotFound", message)
    return function, None


class RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record):
        record.aws_request_id = self.request_id
        return True


def install_logging():
    """The root logger's handler as on AWS: level, time, request id, message, tab-separated."""
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    request_ids = RequestIdFilter()
    handler.addFilter(request_ids)
    logging.getLogger().addHandler(handler)
    return request_ids


def start_extensions(extensions):
    """The layers' external extensions, started before the handler is loaded, as on Lambda;
    they reach Lamina's Extensions API at the address given."""
    import subprocess  # here: a runtime without extensions does not pay for its import

    env = dict(os.environ, AWS_LAMBDA_RUNTIME_API=extensions["runtime_api"])
    for executable in extensions["executables"]:
        subprocess.Popen([executable], env=env, stdin=subprocess.DEVNULL)


def specialize(header):
    os.environ.update(header["env"])
    if hasattr(time, "tzset"):
        time.tzset()
    if header.get("extensions"):
        start_extensions(header["extensions"])
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    os.chdir(task_root)
    sys.path[:0] = [task_root] + [p for p in header.get("paths", []) if p not in sys.path]
    return load_handler(header["handler"])


def maxrss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def invoke(function, header, body, request_ids):
    request_ids.request_id = header["request_id"]
    os.environ["_X_AMZN_TRACE_ID"] = header.get("trace_id", "")
    try:
        event = json.loads(body) if body else {}
        result = function(event, LambdaContext(header))
    except Exception as exc:  # the function's error is the answer
        error = error_of(exc)
        error["requestId"] = header["request_id"]
        # As AWS's runtime logs it: one line naming the error, then the traceback.
        print(f"[ERROR] {error['errorType']}: {error['errorMessage']}")
        traceback.print_exception(exc, file=sys.stdout)
        return b"F", {"error": error}, b""
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    try:
        return b"O", {}, json.dumps(result).encode()
    except (TypeError, ValueError) as exc:
        message = f"Unable to marshal response: {exc}"
        error = runtime_error("Runtime.MarshalError", message, header["request_id"])
        print(f"[ERROR] Runtime.MarshalError: {message}")
        sys.stdout.flush()
        return b"F", {"error": error}, b""


def main():
    channel = Channel(int(os.environ.pop("_LAMINA_CHANNEL_FD")))
    request_ids = install_logging()
    kind, header, _ = channel.receive()
    function, init_error = specialize(header)
    sys.stdout.flush()
    if init_error is not None:
        # Logged as AWS's runtime logs it, then answered on the invoke that needed the init.
        print(f"[ERROR] {init_error['errorType']}: {init_error['errorMessage']}")
        sys.stdout.flush()
        channel.send(b"N", {"error": init_error})
        return
    channel.send(b"R", {})
    while True:
        _, header, body = channel.receive()
        kind, head, response = invoke(function, header, body, request_ids)
        head["maxrss_kb"] = maxrss_kb()
        channel.send(kind, head, response)


if __name__ == "__main__":
    main()
