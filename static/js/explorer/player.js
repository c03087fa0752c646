// The page's one player: plays what the state is asked to play, names it, stops when nothing
// is selected, and announces a song's end (the walk moves on). history.js listens to the same
// <audio> element for the listener's history.

import { songLine } from "./panel.js";

const DUCKED_VOLUME = 0.2;

export class Player {
  /** audio: the <audio> element; nowPlaying: the line that names the song. */
  constructor({ state, api, audio, nowPlaying }) {
    this.state = state;
    this.api = api;
    this.audio = audio;
    this.nowPlaying = nowPlaying;
    const { signals } = state;
    signals.playRequested.add((songId, song, { onlyIfNotPlaying }) => {
      if (onlyIfNotPlaying && state.playing === songId && !audio.paused) return;
      this.play(songId, song);
    });
    signals.selectionShown.add(({ songId }) => {
      if (state.playing === songId && state.selectedSong?.id === songId)
        this.show(state.selectedSong);
    });
    signals.selectionChanged.add((songId) => {
      if (songId === null) audio.pause();
    });
    audio.addEventListener("ended", () => signals.songEnded.dispatch());
    // A preview (preview.js) is heard over the player turned down, never two songs at full.
    this.volumeBeforePreview = null;
    signals.previewChanged.add((songId, { phase }) => {
      if (phase === "playing" && this.volumeBeforePreview === null) {
        this.volumeBeforePreview = audio.volume;
        audio.volume = Math.min(audio.volume, DUCKED_VOLUME);
      } else if (phase === "stopped" && this.volumeBeforePreview !== null) {
        audio.volume = this.volumeBeforePreview;
        this.volumeBeforePreview = null;
      }
    });
  }

  /** Start a song. Called from click handlers so that browsers allow the sound. */
  play(songId, song) {
    this.state.playing = songId;
    this.audio.src = this.api.audioUrl(songId);
    this.show(song);
    this.audio.play().catch((error) => {
      // Opened from an address, with no click yet: the browser waits for the play button.
      if (error.name === "NotAllowedError") this.nowPlaying.textContent = "Press play to listen.";
    });
  }

  show(song) {
    this.nowPlaying.textContent = song ? `Playing: ${songLine(song)}` : "Playing…";
  }
}
