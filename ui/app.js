// The shell: what is on screen, who is signed in, the router and the idle lock.
//
// Screens live in the area folders (patients/, intake/, review/, exports/, admin/;
// signing in, the lock and home in shell/); each exports `render(ctx)` and returns its
// root element. This module only chooses which one to show. Signed in, the window is the top bar plus
// #app-content, routed by the hash: `#/<section>[/<sub>/<path>][?query]` (#/users,
// #/patients/12/edit). Locked, both are removed from the DOM and only the lock screen
// remains. No business rule lives here: the backend says which sections a user may open.

import * as api from './api.js';
import { h, focusFirst, replaceChildren } from './shared/dom.js';
import { setClinicDates } from './shared/dates.js';
import { startIdleTimer } from './shell/idle.js';
import { allowedSections, sectionLabel } from './shell/sections.js';
import { createTopBar } from './shell/top-bar.js';
import * as startupError from './shell/startup-error.js';
import * as firstAdmin from './shell/first-admin.js';
import * as signIn from './shell/sign-in.js';
import * as changePassword from './shell/change-password.js';
import * as lockScreen from './shell/lock.js';
import * as unsaved from './shared/unsaved.js';
import { startClosing } from './shell/closing.js';
import { createNavigation } from './shell/navigation.js';
import { parseHash, resolveView, routeSections } from './shell/routes.js';

const root = document.getElementById('root');
const nav = createNavigation(renderRoute);
const state = {
  clinicName: '',
  version: '',
  database: '', // "Clinic server db.clinic.lan" or "This workstation"
  session: null, // { user, sessionTimeoutSeconds, sections, recordCheck, backupWarning } while signed in
  lockedUser: null, // the user whose session was locked
  section: 'home',
  path: 'home', // the whole route (patients/12/edit), where unlocking returns to
  idle: null,
  shell: null, // { topBar, content } while the signed-in shell is mounted
  locking: false, // while a lock sends what waits
};

/** Replaces the whole window with one screen and puts focus on its first field. */
function mount(screen, title) {
  state.shell = null;
  replaceChildren(root, screen);
  document.title = title ? `${title} — Intake Desk` : 'Intake Desk';
  focusFirst(screen);
}

// Signing in and out.

function startSession(session, returnTo = 'home') {
  state.session = session;
  setClinicDates(session.dates);
  state.lockedUser = null;
  state.idle?.stop();
  state.idle = startIdleTimer({
    timeoutSeconds: session.sessionTimeoutSeconds,
    onIdle: () => lock('idle'),
    onHeartbeat: heartbeat,
  });
  if (session.user.mustChangePassword) showForcedPasswordChange();
  else showShell(returnTo);
}

function heartbeat() {
  api.whoami().then(
    (fresh) => {
      if (!state.session) return;
      const sectionsChanged = fresh.sections.join() !== state.session.sections.join();
      // A new finding of the background record check, or a backup warning, shows on the
      // home screen at once.
      const checkChanged = JSON.stringify(fresh.recordCheck?.mismatches || [])
        !== JSON.stringify(state.session.recordCheck?.mismatches || [])
        || (fresh.backupWarning || null) !== (state.session.backupWarning || null);
      state.session = fresh;
      setClinicDates(fresh.dates);
      state.idle?.setTimeoutSeconds(fresh.sessionTimeoutSeconds);
      state.shell?.topBar.setSession(fresh);
      if ((sectionsChanged || (checkChanged && state.path === 'home')) && state.shell) renderRoute();
    },
    () => {}, // unauthenticated locks through api.onUnauthenticated; others can wait.
  );
}

async function signOut() {
  state.idle?.stop();
  // What waits is sent first; what cannot be is kept for this user's next sign-in.
  await unsaved.holdForLock();
  state.session = null;
  state.lockedUser = null;
  state.section = 'home';
  state.path = 'home';
  nav.reset();
  history.replaceState(null, '', location.pathname + location.search);
  showSignIn();
  await api.signOut();
}

/**
 * Ends the session and removes every signed-in element from the DOM. Changes waiting on
 * the screen are sent first; what could not be sent is held for this user
 * (`shared/unsaved.js`) and sent when they unlock or sign in again.
 */
async function lock(reason) {
  if (!state.session || state.locking) return;
  state.locking = true;
  state.idle?.stop();
  const keptChanges = await unsaved.holdForLock();
  state.locking = false;
  state.lockedUser = state.session.user;
  state.session = null;
  const screen = lockScreen.render({
    user: state.lockedUser,
    keptChanges,
    unlock: async (password) => {
      const session = await api.signIn(state.lockedUser.username, password);
      await unsaved.resumeFor(session.user.username);
      startSession(session, state.path);
    },
    switchUser: () => {
      state.lockedUser = null;
      state.section = 'home';
      state.path = 'home';
      nav.reset();
      history.replaceState(null, '', location.pathname + location.search);
      showSignIn();
    },
  });
  mount(screen, 'Locked');
  if (reason === 'idle') api.lockSession();
}

// Screens outside the shell.

function showSignIn() {
  const signedIn = async (s) => {
    // Changes held from this user's locked screen are theirs to send, no one else's.
    await unsaved.resumeFor(s.user.username);
    startSession(s);
  };
  const screen = signIn.render({ clinicName: state.clinicName, version: state.version, database: state.database, signedIn });
  mount(screen, 'Sign in');
}

function showForcedPasswordChange() {
  const screen = changePassword.render({
    forced: true,
    user: state.session.user,
    done: () => passwordChanged(),
    signOut,
  });
  mount(screen, 'Change password');
}

function passwordChanged() {
  if (!state.session) return;
  state.session = { ...state.session, user: { ...state.session.user, mustChangePassword: false } };
  showShell('home');
}

// The signed-in shell and its router.

function showShell(section) {
  const topBar = createTopBar({ onSignOut: signOut });
  topBar.setSession(state.session);
  const content = h('main', { id: 'app-content', class: 'content' });
  replaceChildren(root, topBar.el, content);
  state.shell = { topBar, content };
  nav.go(section);
}

/** Asks how many intakes wait for review and shows it on the Review link (if shown). */
function refreshReviewCount() {
  if (!state.session?.sections.includes('review')) return;
  const shell = state.shell;
  api.reviewCount().then(
    (count) => { if (state.shell === shell) shell?.topBar.setReviewCount(count); },
    () => {}, // the badge waits for the next route change
  );
}

/** Counts the intakes in progress (drafts; returned ones apart) for the Intake link. */
function refreshIntakeCount() {
  if (!state.session?.sections.includes('intake')) return;
  const shell = state.shell;
  api.listEncounters({ status: 'draft' }).then(
    (drafts) => {
      if (state.shell !== shell) return;
      shell?.topBar.setIntakeCount({ inProgress: drafts.length, returned: drafts.filter((d) => d.returned).length });
    },
    () => {}, // the badge waits for the next route change
  );
}

function renderRoute() {
  if (!state.shell || !state.session) return;
  const allowed = allowedSections(state.session.sections).map((s) => s.id);
  let { section: route, rest, query } = parseHash(location.hash);
  let sub = resolveView(route, rest);
  const mayOpen = route === 'password' || routeSections(route, rest).some((s) => allowed.includes(s));
  if (!mayOpen || !sub) {
    if (!allowed.includes(route)) route = allowed.includes('home') ? 'home' : allowed[0] || 'password';
    nav.replace(`#/${route}`);
    rest = [];
    query = new URLSearchParams();
    sub = resolveView(route, rest);
  }
  state.section = route;
  const path = [route, ...rest.map(encodeURIComponent)].join('/');
  state.path = query.toString() ? `${path}?${query}` : path;
  state.shell.topBar.setCurrent(route);
  const ctx = {
    session: state.session,
    section: route,
    patientId: sub.patientId,
    encounterId: sub.encounterId ?? null,
    query,
    /** Keeps a screen's state (the search text) in the URL without a new history entry. */
    setQuery(params) {
      const text = new URLSearchParams(params).toString();
      state.path = text ? `${path}?${text}` : path;
      nav.replace(`#/${state.path}`);
    },
    flash: nav.takeFlash(),
    cameFrom: nav.cameFrom(),
    go: nav.go,
    back: nav.back,
    returnTo: nav.returnTo,
    signOut,
    /** After an action that changes the review queue (sign, return). */
    refreshReviewCount,
    done: () => nav.go('home'),
    settingsSaved: (saved) => {
      state.clinicName = saved.clinicName;
      if (!state.session) return;
      const dates = { dateOrder: saved.dateOrder, hourCycle: saved.hourCycle, timeZone: saved.timeZone };
      state.session = { ...state.session, sessionTimeoutSeconds: saved.sessionTimeoutSeconds, dates };
      setClinicDates(dates);
      state.idle?.setTimeoutSeconds(saved.sessionTimeoutSeconds);
    },
  };
  unsaved.leave(); // what the screen being left still has to save goes on in the background
  const screen = sub.view.render(ctx);
  replaceChildren(state.shell.content, screen);
  document.title = `${route === 'password' ? 'Change password' : sectionLabel(route)} — Intake Desk`;
  focusFirst(screen);
  refreshReviewCount();
  refreshIntakeCount();
}

// Start-up.

/** Every second: the changes waiting on screens left, in the top bar. */
function watchUnsaved() {
  setInterval(() => {
    if (state.shell) state.shell.topBar.setUnsaved(unsaved.waitingElsewhere(), unsaved.takeReports());
  }, 1000);
}

async function start() {
  startClosing();
  watchUnsaved();
  api.onUnauthenticated(() => lock('expired'));
  window.addEventListener('hashchange', nav.onHashChange);
  let status;
  try {
    status = await api.appStatus();
  } catch (err) {
    mount(startupError.render({ message: err.message }), 'Cannot start');
    return;
  }
  state.clinicName = status.clinicName || '';
  state.version = status.version || '';
  state.database = status.database || '';
  if (status.needsFirstAdmin) {
    mount(
      firstAdmin.render({ signedIn: (s) => startSession(s), created: () => showSignIn() }),
      'Create the first administrator',
    );
  } else {
    showSignIn();
  }
}

start();
