// Lamina's bootstrap for the nodejs runtimes. It runs inside the sandbox with the machine's
// node, where Lamina itself is not reachable, so it uses nothing but node's standard library.
//
// It waits on the private channel (fd in _LAMINA_CHANNEL_FD) to be specialized to one
// function (environment, handler), loads the handler (the function's init), then serves one
// invocation at a time until Lamina closes the channel. What the function sees follows AWS's
// Node.js runtime (aws-lambda-nodejs-runtime-interface-client): the handler lookup, the
// context object, the callback semantics, the error shapes and the console log format.
"use strict";

const fs = require("fs");
const path = require("path");
const util = require("util");

// -- the channel -------------------------------------------------------------------------------
//
// The framing of lamina/execution/channel.py: a 4-byte big-endian length, then a 1-byte kind,
// a 4-byte header length, the JSON header, and body bytes.
//
// Why blocking fs.readSync rather than a net.Socket: the fd is then not a handle of the event
// loop, so (1) 'beforeExit' fires exactly when the function's own work is done, which is how
// AWS's runtime implements callbackWaitsForEmptyEventLoop and the null answer of a handler that
// never answers; (2) while waiting for the next invocation nothing of the function runs, as on
// Lambda where the environment is frozen between invocations; (3) exact-size reads need no
// buffering: a frame split across reads, or 6 MB long, is read by looping until it is whole.

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

class Channel {
  constructor(fd) {
    this.fd = fd;
  }

  receive() {
    const length = this.exactly(4).readUInt32BE(0);
    const message = this.exactly(length);
    const headEnd = 5 + message.readUInt32BE(1);
    const header = JSON.parse(message.subarray(5, headEnd).toString("utf8"));
    return { kind: String.fromCharCode(message[0]), header, body: message.subarray(headEnd) };
  }

  send(kind, header, body = Buffer.alloc(0)) {
    const head = Buffer.from(JSON.stringify(header), "utf8");
    const prefix = Buffer.alloc(9);
    prefix.writeUInt32BE(5 + head.length + body.length, 0);
    prefix.write(kind, 4, "latin1");
    prefix.writeUInt32BE(head.length, 5);
    this.writeAll(Buffer.concat([prefix, head, body]));
  }

  exactly(count) {
    const buffer = Buffer.allocUnsafe(count);
    let done = 0;
    while (done < count) {
      const got = retrying(() => fs.readSync(this.fd, buffer, done, count - done, null));
      if (got === 0) process.exit(0); // Lamina closed the channel: this environment is retired
      done += got;
    }
    return buffer;
  }

  writeAll(buffer) {
    let done = 0;
    while (done < buffer.length) {
      done += retrying(() => fs.writeSync(this.fd, buffer, done, buffer.length - done));
    }
  }
}

// The socket should be blocking, but an fd inherited non-blocking must not lose a frame.
function retrying(operation) {
  for (;;) {
    try {
      return operation();
    } catch (error) {
      if (error.code !== "EAGAIN" && error.code !== "EINTR") throw error;
      Atomics.wait(SLEEPER, 0, 0, 1); // a synchronous 1 ms sleep
    }
  }
}

// -- console output, as AWS's runtime writes it ------------------------------------------------
//
// `<ISO time>\t<request id>\t<LEVEL>\t<message>`, newlines inside a message as \r so that one
// call is one log event. Written with fs.writeSync: writes to a pipe can be queued in node, and
// a line still queued when the environment is killed (timeout) would be lost.

const REQUEST_ID = Symbol.for("aws.lambda.runtime.requestId");

function writeLine(level, message) {
  const line = `${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${level}\t${message}`;
  const bytes = Buffer.from(line.replace(/\n/g, "\r") + "\n", "utf8");
  let done = 0;
  while (done < bytes.length) {
    done += retrying(() => fs.writeSync(1, bytes, done, bytes.length - done));
  }
}

function patchConsole() {
  const levels = { log: "INFO", info: "INFO", debug: "DEBUG", warn: "WARN", error: "ERROR" };
  Object.assign(levels, { trace: "TRACE", fatal: "FATAL" });
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (message, ...params) => writeLine(level, util.format(message, ...params));
  }
  // process.stdout/stderr.write straight from the function: blocking too, for the same reason.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream._handle && typeof stream._handle.setBlocking === "function") {
      stream._handle.setBlocking(true);
    }
  }
}

// -- errors, in AWS's types and shapes ---------------------------------------------------------

function runtimeError(name) {
  const type = class extends Error {};
  Object.defineProperty(type, "name", { value: name });
  type.prototype.name = `Runtime.${name}`;
  return type;
}

const ImportModuleError = runtimeError("ImportModuleError");
const HandlerNotFound = runtimeError("HandlerNotFound");
const MalformedHandlerName = runtimeError("MalformedHandlerName");
const UserCodeSyntaxError = runtimeError("UserCodeSyntaxError");
const UnhandledPromiseRejection = runtimeError("UnhandledPromiseRejection");

function looksLikeError(value) {
  return Boolean(value && ["name", "message", "stack"].every((k) => typeof value[k] === "string"));
}

// What Lambda answers for an error: {errorType, errorMessage, trace}.
function toResponse(error) {
  try {
    if (util.types.isNativeError(error) || looksLikeError(error)) {
      const clean = (text) => text.replace(/\x7F/g, "%7F");
      return {
        errorType: clean(String(error.name)),
        errorMessage: clean(String(error.message)),
        trace: clean(String(error.stack)).split("\n"),
      };
    }
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return {
      errorType: "handled",
      errorMessage:
        "callback called with Error argument, but there was a problem while retrieving one or " +
        "more of its message, name, and stack",
    };
  }
}

// How the runtime logs an error: a tab, then JSON with its enumerable properties and stack.
function toFormatted(error) {
  const withProperties = (_key, value) => {
    if (!(value instanceof Error)) return value;
    const plain = { errorType: value.name, errorMessage: value.message, code: value.code };
    Object.assign(plain, value);
    if (typeof value.stack === "string") plain.stack = value.stack.split("\n");
    return plain;
  };
  try {
    return "\t" + JSON.stringify(error, withProperties);
  } catch {
    return "\t" + JSON.stringify(toResponse(error));
  }
}

function intoError(value) {
  return value instanceof Error ? value : new Error(value);
}

// -- loading the handler, as AWS's runtime looks it up -----------------------------------------

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes("..")) {
    throw new MalformedHandlerName(
      `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root ` +
        "directories in handler names.",
    );
  }
  // 'dir/file.a.b': the module is 'dir/file', the export path 'a.b'.
  const base = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(base));
  const match = base.match(/^([^.]*)\.(.*)$/);
  if (!match) throw new MalformedHandlerName("Bad handler");
  const app = await loadModule(appRoot, moduleRoot, match[1]);
  const handler = match[2].split(".").reduce((object, key) => object && object[key], app);
  if (!handler) throw new HandlerNotFound(`${fullHandler} is undefined or not exported`);
  if (typeof handler !== "function") throw new HandlerNotFound(`${fullHandler} is not a function`);
  return handler;
}

async function loadModule(appRoot, moduleRoot, name) {
  try {
    return await findModule(appRoot, moduleRoot, name);
  } catch (error) {
    if (error instanceof SyntaxError) throw new UserCodeSyntaxError(String(error));
    if (error && error.code === "MODULE_NOT_FOUND") throw new ImportModuleError(String(error));
    throw error;
  }
}

// The order AWS's runtime tries: the bare path, then .js (CommonJS unless a package.json says
// "type": "module", then imported), .mjs (imported), .cjs, and last node's own resolution
// (a package in node_modules or on NODE_PATH).
async function findModule(appRoot, moduleRoot, name) {
  const file = path.resolve(appRoot, moduleRoot, name);
  const exists = (suffix) => fs.existsSync(file + suffix);
  if (exists("")) return require(file);
  const esm = exists(".js") && isModulePackage(path.dirname(file + ".js"));
  if (!esm && exists(".js")) return require(file + ".js");
  if (esm) return await import(file + ".js");
  if (exists(".mjs")) return await import(file + ".mjs");
  if (exists(".cjs")) return require(file + ".cjs");
  return require(require.resolve(name, { paths: [appRoot, moduleRoot] }));
}

// Whether the nearest package.json above `folder` says "type": "module" (none in between a
// node_modules and its package counts, as in node's own lookup).
function isModulePackage(folder) {
  if (folder.endsWith("/node_modules")) return false;
  const file = path.join(folder, "package.json");
  if (fs.existsSync(file)) {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")).type === "module";
    } catch (error) {
      const why = `${file} cannot be read, it will be ignored for ES module detection purposes.`;
      console.warn(why, error);
      return false;
    }
  }
  return folder === "/" ? false : isModulePackage(path.resolve(folder, ".."));
}

// -- response streaming (response_stream.js) -------------------------------------------------

const {
  STREAMING,
  HIGH_WATER_MARK,
  STREAM_RESPONSE,
  installGlobals,
  responseStream,
} = require("./response_stream.js");

// -- one invocation ----------------------------------------------------------------------------

const NO_OP = () => {};
let beforeExit = NO_OP; // what to do once the event loop is empty (AWS's BeforeExitListener)
let onUncaught = null; // how an uncaught error is answered: at init, or in an invocation

// One invocation's answer: sent once, whichever path gets there first, and then (only then)
// the next invocation is awaited, so invocations never overlap.
class Invocation {
  constructor(channel, next) {
    this.channel = channel;
    this.next = next;
    this.answered = false;
  }

  respond(result) {
    if (this.answered) return;
    let body;
    try {
      body = JSON.stringify(result === undefined ? null : result);
    } catch {
      throw new Error("Unable to stringify response body"); // AWS's runtime throws this too
    }
    this.answer("O", {}, Buffer.from(body, "utf8"));
  }

  fail(error) {
    if (!this.answered) this.answer("F", { error: toResponse(error) });
  }

  answer(kind, header, body) {
    this.answered = true;
    header.maxrss_kb = process.resourceUsage().maxRSS;
    this.channel.send(kind, header, body);
    setImmediate(this.next);
  }
}

// The callback and the context's done/succeed/fail, with AWS's semantics: the callback's answer
// waits for the event loop to empty unless callbackWaitsForEmptyEventLoop is false; only the
// first call of any of them counts.
function callbacks(invocation) {
  let waitForEmptyEventLoop = true;
  let completed = false;
  const postError = (error) => {
    console.error("Invoke Error", toFormatted(intoError(error)));
    invocation.fail(error);
  };
  const complete = (result) => {
    if (completed) {
      console.error(
        "Invocation has already been reported as done. Cannot call complete more than once " +
          "per invocation.",
      );
      return;
    }
    completed = true;
    invocation.respond(result);
  };
  const callback = (error, result) => {
    beforeExit = NO_OP;
    if (error !== undefined && error !== null) postError(error);
    else if (!waitForEmptyEventLoop) complete(result);
    else beforeExit = () => setImmediate(() => complete(result));
  };
  const done = (error, result) => {
    beforeExit = NO_OP;
    if (error !== undefined && error !== null) postError(error);
    else complete(result);
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    done,
    succeed: (result) => done(null, result),
    fail: (error) => (error === undefined || error === null ? done("handled") : done(error, null)),
  };
  const once = firstCallOnly();
  for (const name of ["done", "succeed", "fail"]) context[name] = once(context[name]);
  const markCompleted = () => (completed = true);
  return { callback: once(callback), context, markCompleted };
}

function firstCallOnly() {
  let finished = false;
  return (inner) =>
    (...args) => {
      if (finished) return;
      inner(...args);
      finished = true; // after: a call that threw (an answer JSON cannot hold) may be retried
    };
}

function contextOf(base, header) {
  const env = process.env;
  const deadline = header.deadline_ms;
  return Object.assign(base, {
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: header.client_context ?? undefined,
    identity: header.identity ?? undefined,
    invokedFunctionArn: header.invoked_function_arn,
    awsRequestId: header.request_id,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  });
}

function invoke(channel, handler, header, body) {
  globalThis[REQUEST_ID] = header.request_id;
  if (header.trace_id) process.env._X_AMZN_TRACE_ID = header.trace_id;
  else delete process.env._X_AMZN_TRACE_ID;
  const invocation = new Invocation(channel, () => serve(channel, handler));
  const { callback, context, markCompleted } = callbacks(invocation);
  // An uncaught error is the invocation's answer. AWS's runtime then exits (129, or 128 for a
  // rejection) and the next invoke starts a new environment; here the environment lives on:
  // Lamina would only notice the exit when the next invoke found the channel closed, and
  // fail that invoke too. "retire" in the answer says that AWS would end this environment.
  onUncaught = (error) => {
    if (!invocation.answered) invocation.answer("F", { error: toResponse(error), retire: true });
  };
  // The loop emptied without an answer: Lambda answers null.
  beforeExit = () => {
    markCompleted();
    invocation.respond(null);
  };
  try {
    const event = body.length ? JSON.parse(body.toString("utf8")) : {};
    const result = handler(event, contextOf(context, header), callback);
    if (result && typeof result.then === "function") {
      result.then(context.succeed, context.fail).catch(context.fail);
    }
  } catch (error) {
    callback(error);
  }
}

// A streaming handler's invocation, as AWS's runtime runs one: the handler must be async;
// its answer is over when its promise has settled and its stream has ended. An error (thrown,
// rejected, or uncaught) ends the stream failed, whatever was written before it.
function invokeStreaming(channel, handler, header, body) {
  globalThis[REQUEST_ID] = header.request_id;
  if (header.trace_id) process.env._X_AMZN_TRACE_ID = header.trace_id;
  else delete process.env._X_AMZN_TRACE_ID;
  const invocation = new Invocation(channel, () => serve(channel, handler));
  const stream = responseStream(channel, handler[HIGH_WATER_MARK]);
  const fail = (error, retire = false) => {
    if (invocation.answered) return;
    console.error("Invoke Error", toFormatted(intoError(error)));
    invocation.answer("F", { error: toResponse(error), streamed: true, retire });
  };
  const succeed = () => {
    if (!invocation.answered) invocation.answer("O", { streamed: true });
  };
  onUncaught = (error) => fail(error, true);
  // The loop emptied with the stream still open: nothing can end it any more.
  beforeExit = () => fail(new Error("Response stream is not finished."));
  let result;
  try {
    const event = body.length ? JSON.parse(body.toString("utf8")) : {};
    const context = contextOf({ callbackWaitsForEmptyEventLoop: true }, header);
    result = handler(event, stream, context);
  } catch (error) {
    fail(error);
    return;
  }
  if (!result || typeof result.then !== "function") {
    fail(new Error("Streaming does not support non-async handlers."));
    return;
  }
  result.then((value) => {
    if (value !== undefined) console.warn("Streaming handlers ignore return values.");
    if (stream.writableFinished) succeed();
    else stream.once("finish", succeed);
  }, fail);
  stream.once("error", fail);
}

// Wait (blocking: the environment is idle) for the next invocation, and start it.
function serve(channel, handler) {
  beforeExit = NO_OP;
  const frame = channel.receive();
  const run = handler[STREAMING] === STREAM_RESPONSE ? invokeStreaming : invoke;
  run(channel, handler, frame.header, frame.body);
}

// -- start -------------------------------------------------------------------------------------

// The layers' external extensions, started before the handler is loaded, as on Lambda; they
// reach Lamina's Extensions API at the address given.
function startExtensions(extensions) {
  const { spawn } = require("child_process");
  const env = { ...process.env, AWS_LAMBDA_RUNTIME_API: extensions.runtime_api };
  for (const executable of extensions.executables) {
    spawn(executable, [], { env, stdio: ["ignore", "inherit", "inherit"] });
  }
}

function specialize(header) {
  Object.assign(process.env, header.env);
  if (header.extensions) startExtensions(header.extensions);
  if (header.env.NODE_PATH) require("module")._initPaths(); // the function's own NODE_PATH
  process.chdir(process.env.LAMBDA_TASK_ROOT || "/var/task");
  return loadHandler(process.cwd(), header.handler);
}

function installProcessHooks() {
  process.on("uncaughtException", (error) => {
    console.error("Uncaught Exception", toFormatted(error));
    onUncaught(error, 129);
  });
  process.on("unhandledRejection", (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason?.toString());
    Object.assign(error, { reason, promise });
    console.error("Unhandled Promise Rejection", toFormatted(error));
    onUncaught(error, 128);
  });
  process.on("beforeExit", () => beforeExit());
}

async function main() {
  const channel = new Channel(Number(process.env._LAMINA_CHANNEL_FD));
  delete process.env._LAMINA_CHANNEL_FD;
  patchConsole();
  installGlobals(); // before the handler's module is loaded: it calls them at its top level
  installProcessHooks();
  onUncaught = (error, status) => {
    channel.send("N", { error: toResponse(error) });
    process.exit(status);
  };
  const frame = channel.receive();
  const handler = await specialize(frame.header); // a failure: onUncaught answers INIT_ERROR
  channel.send("R", {});
  onUncaught = NO_OP; // between init and the first invoke: logged by the hook, nothing to answer
  setImmediate(() => serve(channel, handler));
}

main().catch((error) => process.emit("uncaughtException", error));
