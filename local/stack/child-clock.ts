import { useTimeSource } from '../../shared/time/now.ts';
import { SystemClock } from '../common/clock.ts';

/*
 * Preloaded (`node --import`) into each function process of the local stack's
 * process mode, before the function itself: installs the stack's scaled clock,
 * described by LOCAL_STACK_CLOCK ({"scale", "origin", "realOrigin"}), so the
 * functions and the emulators agree on "now" across processes. Local only:
 * nothing deployed imports this file. It also ends the process once the stack
 * that started it is gone.
 */
const settings = process.env.LOCAL_STACK_CLOCK;
if (settings) useTimeSource(new SystemClock(JSON.parse(settings)));

// A stack that dies without stopping its processes (SIGKILL, a crash) must not leave them
// running: once this process has a new parent, the stack is gone.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1_000).unref();
