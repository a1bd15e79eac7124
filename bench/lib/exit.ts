/**
 * A script must exit once its last line has run (issue 4: worker threads never keep the process
 * alive). Rather than leave the driver to kill a lingering child at its budget (and misreport
 * it as slow), a child calls this after printing its result: if it is still alive `ms` later it
 * prints a warning on stdout (the driver passes unmarked lines through) and exits. The timer is
 * unref'd, so it keeps nothing alive itself: a healthy process exits at once without it firing.
 */
export function exitWatch(ms = 5000): void {
  setTimeout(() => {
    process.stdout.write(`warning: process still alive ${ms / 1000} s after its last line: a thread or handle keeps it alive\n`);
    process.exit(0);
  }, ms).unref();
}
