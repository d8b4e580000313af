// Play, Step and Reset: one cursor (the step shown) for every run of the view.
//
//   const player = createPlayer({ playButton, stepButton, resetButton, length, draw });
//   player.cursor          the step shown now
//   player.follow(n)       a new view of n+1 steps: show its end unless playing
//   player.stop()
//
// `length()` is the longest run's number of steps; `draw()` redraws at player.cursor and
// returns a promise. Playing paces itself to about 3 s per run (16 .. 250 ms a step).

export function createPlayer({ playButton, stepButton, resetButton, length, draw }) {
  const player = { cursor: 0, playing: false, follow, stop };

  function setPlaying(on) {
    player.playing = on;
    playButton.textContent = on ? "Pause" : "Play";
  }

  function stop() { setPlaying(false); }

  function follow(last) {
    player.cursor = player.playing ? Math.min(player.cursor, last) : last;
  }

  async function tick() {
    while (player.playing) {
      const last = length();
      if (player.cursor >= last) break;
      player.cursor += 1;
      const t = performance.now();
      await draw();
      const wait = Math.min(250, Math.max(16, 3000 / Math.max(1, last))) - (performance.now() - t);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    setPlaying(false);
  }

  playButton.addEventListener("click", () => {
    if (player.playing) { stop(); return; }
    const last = length();
    if (last <= 0) return;
    if (player.cursor >= last) player.cursor = 0;
    setPlaying(true);
    draw().then(tick);
  });
  stepButton.addEventListener("click", () => {
    stop();
    const last = length();
    player.cursor = player.cursor >= last ? Math.min(1, last) : player.cursor + 1;
    draw();
  });
  resetButton.addEventListener("click", () => {
    stop();
    player.cursor = 0;
    draw();
  });
  return player;
}
