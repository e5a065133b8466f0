import { useTimeSource } from '../../shared/time/now.ts';
import { SystemClock } from '../common/clock.ts';

/*
 * Preloaded (`node --import`) into each function process of the local stack's
 * process mode, before the function itself: installs the stack's scaled clock,
 * described by LOCAL_STACK_CLOCK ({"scale", "origin", "realOrigin"}), so the
 * functions and the emulators agree on "now" across processes. Local only:
 * nothing deployed imports this file.
 */
const settings = process.env.LOCAL_STACK_CLOCK;
if (settings) useTimeSource(new SystemClock(JSON.parse(settings)));
