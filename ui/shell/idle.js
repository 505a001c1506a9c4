// The inactivity timer and the heartbeat.
//
// After `timeoutSeconds` with no keyboard, mouse, wheel or touch activity, `onIdle` runs
// once. While the person is active, `onHeartbeat` runs at most once every 30 seconds so
// the backend session does not expire under someone who is typing. Time is read from the
// clock on every check (not counted in ticks), so a suspended laptop locks on wake.

const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'pointermove', 'wheel', 'touchstart', 'touchmove'];
const HEARTBEAT_MS = 30_000;
const CHECK_MS = 1_000;

export function startIdleTimer({ timeoutSeconds, onIdle, onHeartbeat }) {
  let timeoutMs = Math.max(1, Number(timeoutSeconds) || 600) * 1000;
  let lastActivity = Date.now();
  let lastHeartbeat = Date.now();
  let stopped = false;

  const onActivity = () => {
    const now = Date.now();
    lastActivity = now;
    if (now - lastHeartbeat >= HEARTBEAT_MS) {
      lastHeartbeat = now;
      onHeartbeat();
    }
  };

  const check = () => {
    if (!stopped && Date.now() - lastActivity >= timeoutMs) {
      stop();
      onIdle();
    }
  };

  const options = { capture: true, passive: true };
  for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, options);
  const interval = window.setInterval(check, CHECK_MS);

  function stop() {
    if (stopped) return;
    stopped = true;
    window.clearInterval(interval);
    for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity, options);
  }

  return {
    stop,
    /** Applies a new timeout (after Settings changes it) without resetting activity. */
    setTimeoutSeconds(seconds) {
      timeoutMs = Math.max(1, Number(seconds) || 600) * 1000;
    },
  };
}
