// The console's only script, and the pages work without it: it follows a running replay (polling its
// state, which the server reads from Kafka) and enables a confirm button once the topic name is typed.
/* global document, window, fetch, setTimeout */
'use strict';

function followReplay(box) {
  const id = box.getAttribute('data-replay-id');
  const progress = document.getElementById('progress');
  const text = document.getElementById('progress-text');
  const log = document.getElementById('log');
  let last = box.getAttribute('data-state');
  const tick = async () => {
    try {
      const answer = await fetch(`/replays/${encodeURIComponent(id)}.json`, {
        headers: { accept: 'application/json' },
      });
      // A failed read (the console busy, Kafka slow to answer) is not the end of the replay: poll again.
      if (!answer.ok) throw new Error(`status ${answer.status}`);
      const status = await answer.json();
      progress.max = Math.max(status.total, 1);
      progress.value = status.done;
      const percent = status.total > 0 ? Math.floor((status.done * 100) / status.total) : 0;
      text.textContent = `${status.done} of ${status.total} (${percent}%)`;
      log.textContent = status.log.join('\n');
      if (status.state !== last) {
        // The final state brings audit records and buttons: show the server's page for it.
        window.location.reload();
        return;
      }
      last = status.state;
    } catch {
      // The next tick tries again.
    }
    if (last === 'running') setTimeout(tick, 1000);
  };
  if (last === 'running') setTimeout(tick, 500);
}

function guardConfirmations() {
  for (const form of document.querySelectorAll('form.confirm')) {
    const input = form.querySelector('input[name="confirm"]');
    const topic = form.querySelector('input[name="topic"]');
    const button = form.querySelector('button[type="submit"]');
    if (!input || !topic || !button) continue;
    const update = () => {
      button.disabled = input.value !== topic.value;
    };
    input.addEventListener('input', update);
    update();
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const box = document.getElementById('replay-status');
  if (box) followReplay(box);
  guardConfirmations();
});
