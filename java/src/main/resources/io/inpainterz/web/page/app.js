// The page of `inpainterz serve`: plain modern JavaScript over the JSON API (README: serve).
const $ = (id) => document.getElementById(id);
const state = { info: null, session: null, objects: [], selected: null, frame: 0, job: null, events: null, follow: false, drag: null, maskSeq: 0 };
const prompts = new Map(); // "object:frame" -> {points: [[x, y, label]], box}

function status(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body instanceof FormData) opts.body = body;
  else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers['Content-Type'] = 'application/json'; }
  const r = await fetch(path, opts);
  if (!r.ok) {
    let message = r.status + ' ' + r.statusText;
    try { message = (await r.json()).error || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return r.status === 204 ? null : r.json();
}

const engine = () => $('engine').value;
const sid = () => state.session.id;

async function init() {
  try {
    state.info = await api('GET', '/api/info');
  } catch (e) { status(e.message, true); return; }
  for (const e of state.info.engines) $('engine').append(new Option(e, e));
  $('engine').value = state.info.engine;
  $('dilate').value = state.info.dilate[state.info.engine];
  showEngine();
  $('engine').onchange = async () => {
    $('dilate').value = state.info.dilate[engine()];
    try { state.info = await api('GET', '/api/info'); } catch (e) { status(e.message, true); } // auto follows the checkpoints present now
    showEngine();
    scheduleEmbed();
  };
  if (state.info.media) {
    const { files } = await api('GET', '/api/media');
    for (const f of files) $('media').append(new Option(f, f));
    $('media').hidden = false;
    $('media').onchange = async () => {
      if (!$('media').value) return;
      status('opening ' + $('media').value + '…');
      try { open(await api('POST', '/api/sessions', { media: $('media').value })); } catch (e) { status(e.message, true); }
    };
  }
  $('file').onchange = upload;
  $('scrubber').oninput = () => { state.follow = false; showFrame(+$('scrubber').value); };
  $('prev').onclick = () => step(-1);
  $('next').onclick = () => step(1);
  document.addEventListener('keydown', (e) => {
    if (!state.session || e.target.tagName === 'INPUT' && e.target.type !== 'range') return;
    if (e.key === 'ArrowLeft') { step(-1); e.preventDefault(); }
    if (e.key === 'ArrowRight') { step(1); e.preventDefault(); }
  });
  $('addObject').onclick = addObject;
  $('clearFrame').onclick = clearFrame;
  $('track').onclick = () => startJob('track');
  $('remove').onclick = () => startJob('remove');
  $('cancel').onclick = () => state.job && api('POST', `/api/jobs/${state.job.id}/cancel`).catch((e) => status(e.message, true));
  const marks = $('marks');
  marks.addEventListener('pointerdown', pointerDown);
  marks.addEventListener('pointermove', pointerMove);
  marks.addEventListener('pointerup', pointerUp);
  status('ready');
}

// Which implementation each stage gets with the chosen engine (auto: by the weights present), and what a render with it says.
function showEngine() {
  const kinds = state.info.stages[engine()] || {};
  $('engineStages').textContent = Object.keys(kinds).length
    ? `${engine()}: ` + Object.entries(kinds).map(([stage, kind]) => `${stage} ${kind}`).join(' · ') : '';
  const notices = state.info.notices[engine()] || [];
  $('engineNotices').replaceChildren(...notices.map(noticeItem));
  $('engineInfo').hidden = !Object.keys(kinds).length && !notices.length;
  document.body.dataset.engine = engine() + ':' + Object.entries(kinds).map(([s, k]) => `${s}=${k}`).join(',');
}

function noticeItem(text) {
  const li = document.createElement('li');
  li.textContent = text;
  if (/licen[cs]e/i.test(text)) li.className = 'licence';
  return li;
}

async function upload() {
  const f = $('file').files[0];
  if (!f) return;
  const form = new FormData();
  form.append('file', f, f.name);
  status('uploading ' + f.name + '…');
  try { open(await api('POST', '/api/videos', form)); } catch (e) { status(e.message, true); }
  $('file').value = '';
}

function open(s) {
  state.session = s;
  state.objects = [];
  state.selected = null;
  prompts.clear();
  const { width, height } = s;
  for (const c of [$('overlay'), $('marks')]) { c.width = width; c.height = height; }
  $('stage').style.setProperty('--aspect', width / height);
  $('scrubber').max = Math.max(0, s.frames - 1);
  $('viewer').hidden = $('side').hidden = false;
  $('empty').hidden = true;
  $('result').hidden = true;
  status(`${s.name}: ${width}x${height}, ${s.frames} frames at ${s.fps.toFixed(2)} fps`);
  document.body.dataset.session = s.id;
  addObject().then(() => showFrame(0));
}

function step(d) {
  if (!state.session) return;
  state.follow = false;
  showFrame(Math.min(Math.max(0, state.frame + d), state.session.frames - 1));
}

function timeOf(n) {
  const t = n / (state.session.fps || 25);
  const m = Math.floor(t / 60);
  return `${m}:${(t - 60 * m).toFixed(3).padStart(6, '0')}`;
}

let restTimer = null;
function showFrame(n, embed = true) {
  state.frame = n;
  $('scrubber').value = n;
  $('frameLabel').textContent = `frame ${n} / ${state.session.frames - 1} · ${timeOf(n)}`;
  $('frame').src = `/api/sessions/${sid()}/frames/${n}.jpg`;
  drawMasks();
  drawMarks();
  if (embed) scheduleEmbed();
}

// The embedding of the frame the user rests on, after 300 ms; a newer request cancels an older one on the server.
function scheduleEmbed() {
  clearTimeout(restTimer);
  if (!state.session || state.follow) return;
  const n = state.frame;
  restTimer = setTimeout(async () => {
    try {
      let r = await api('POST', `/api/sessions/${sid()}/embedding`, { frame: n, engine: engine() });
      while (r.state === 'computing' && state.frame === n) {
        document.body.dataset.embedding = 'computing';
        status(`preparing frame ${n}…`);
        await new Promise((ok) => setTimeout(ok, 300));
        r = await api('GET', `/api/sessions/${sid()}/embedding?frame=${n}&engine=${encodeURIComponent(engine())}`);
      }
      if (state.frame === n) {
        document.body.dataset.embedding = r.state === 'ready' ? `ready:${n}` : r.state;
        if (r.state === 'ready') status(`frame ${n} ready: click the object`);
      }
    } catch (e) { status(e.message, true); }
  }, 300);
}

function hexToRgb(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

// The label map of the shown frame (tracked, else the prompts' masks), each object in its colour.
async function drawMasks() {
  const seq = ++state.maskSeq;
  const n = state.frame;
  try {
    const r = await fetch(`/api/sessions/${sid()}/masks/${n}.png`, { cache: 'no-store' });
    if (!r.ok) throw new Error((await r.json()).error);
    const bitmap = await createImageBitmap(await r.blob());
    if (seq !== state.maskSeq) return;
    const c = $('overlay'), g = c.getContext('2d');
    g.clearRect(0, 0, c.width, c.height);
    g.drawImage(bitmap, 0, 0);
    const img = g.getImageData(0, 0, c.width, c.height), px = img.data, w = c.width;
    const ids = new Uint8Array(px.length / 4);
    for (let p = 0; p < ids.length; p++) ids[p] = px[4 * p];
    const colors = new Map(state.objects.map((o) => [o.id, hexToRgb(o.color)]));
    for (let p = 0; p < ids.length; p++) {
      const id = ids[p], i = 4 * p;
      const col = id ? colors.get(id) || [255, 255, 255] : null;
      if (!col) { px[i + 3] = 0; continue; }
      // Opaque along the mask's edge, so that it shows on any colour; see-through inside.
      const x = p % w, edge = x === 0 || x === w - 1 || p < w || p >= ids.length - w
        || ids[p - 1] !== id || ids[p + 1] !== id || ids[p - w] !== id || ids[p + w] !== id;
      px[i] = col[0]; px[i + 1] = col[1]; px[i + 2] = col[2]; px[i + 3] = edge ? 255 : 140;
    }
    g.putImageData(img, 0, 0);
    document.body.dataset.maskFrame = `${n}:${r.headers.get('X-Mask-Source')}`;
  } catch (e) { status(e.message, true); }
}

function drawMarks(rubber) {
  const c = $('marks'), g = c.getContext('2d');
  g.clearRect(0, 0, c.width, c.height);
  const r = Math.max(4, c.width / 150);
  g.lineWidth = Math.max(2, c.width / 400);
  for (const o of state.objects) {
    const p = prompts.get(`${o.id}:${state.frame}`);
    if (!p) continue;
    g.strokeStyle = o.color;
    if (p.box) g.strokeRect(p.box[0], p.box[1], p.box[2] - p.box[0], p.box[3] - p.box[1]);
    for (const [x, y, l] of p.points) {
      g.fillStyle = l ? '#2ecc40' : '#ff4136';
      g.beginPath(); g.arc(x, y, r, 0, 2 * Math.PI); g.fill();
      g.strokeStyle = o.color; g.stroke();
    }
  }
  if (rubber) {
    g.setLineDash([6, 4]); g.strokeStyle = '#fff';
    g.strokeRect(rubber[0], rubber[1], rubber[2] - rubber[0], rubber[3] - rubber[1]);
    g.setLineDash([]);
  }
}

function toVideo(e) {
  const c = $('marks'), rect = c.getBoundingClientRect();
  return [Math.round((e.clientX - rect.left) * c.width / rect.width), Math.round((e.clientY - rect.top) * c.height / rect.height)];
}

function pointerDown(e) {
  if (!state.session) return;
  $('marks').setPointerCapture(e.pointerId);
  state.drag = { start: toVideo(e), screen: [e.clientX, e.clientY], shift: e.shiftKey };
}

function pointerMove(e) {
  if (!state.drag) return;
  const [x, y] = toVideo(e), [x0, y0] = state.drag.start;
  if (Math.hypot(e.clientX - state.drag.screen[0], e.clientY - state.drag.screen[1]) > 6) {
    drawMarks([Math.min(x0, x), Math.min(y0, y), Math.max(x0, x), Math.max(y0, y)]);
  }
}

function pointerUp(e) {
  const d = state.drag;
  state.drag = null;
  if (!d || state.selected == null) { if (state.selected == null) status('add an object first', true); return; }
  const c = $('marks');
  const clamp = ([x, y]) => [Math.min(Math.max(0, x), c.width), Math.min(Math.max(0, y), c.height)];
  const [x, y] = clamp(toVideo(e)), [x0, y0] = clamp(d.start);
  const key = `${state.selected}:${state.frame}`;
  const p = prompts.get(key) || { points: [], box: null };
  if (Math.hypot(e.clientX - d.screen[0], e.clientY - d.screen[1]) > 6) p.box = [Math.min(x0, x), Math.min(y0, y), Math.max(x0, x), Math.max(y0, y)];
  else p.points.push([x, y, d.shift || e.shiftKey ? 0 : 1]);
  prompts.set(key, p);
  drawMarks();
  sendPrompts(state.selected, state.frame);
}

async function sendPrompts(objectId, n) {
  const p = prompts.get(`${objectId}:${n}`);
  status(`segmenting object ${objectId} on frame ${n}…`);
  const t0 = performance.now();
  try {
    const r = await api('PUT', `/api/sessions/${sid()}/objects/${objectId}/prompts/${n}`, { engine: engine(), points: p.points, box: p.box });
    const o = state.objects.find((o) => o.id === objectId);
    if (o && r) o.area = r.area;
    renderObjects();
    status(r && r.area === 0 ? `object ${objectId}: the prompts gave an empty mask; try another click`
      : `object ${objectId}: ${r.area} pixels (${Math.round(performance.now() - t0)} ms)`, r && r.area === 0);
    if (state.frame === n) drawMasks();
  } catch (e) { status(e.message, true); }
}

async function addObject() {
  try {
    const o = await api('POST', `/api/sessions/${sid()}/objects`);
    state.objects.push(o);
    state.selected = o.id;
    renderObjects();
  } catch (e) { status(e.message, true); }
}

async function removeObject(id) {
  try {
    await api('DELETE', `/api/sessions/${sid()}/objects/${id}`);
    state.objects = state.objects.filter((o) => o.id !== id);
    for (const k of [...prompts.keys()]) if (k.startsWith(id + ':')) prompts.delete(k);
    if (state.selected === id) state.selected = state.objects.length ? state.objects[0].id : null;
    renderObjects();
    drawMasks();
    drawMarks();
  } catch (e) { status(e.message, true); }
}

async function clearFrame() {
  if (state.selected == null) return;
  try {
    await api('DELETE', `/api/sessions/${sid()}/objects/${state.selected}/prompts/${state.frame}`);
    prompts.delete(`${state.selected}:${state.frame}`);
    drawMasks();
    drawMarks();
  } catch (e) { status(e.message, true); }
}

function renderObjects() {
  const ul = $('objects');
  ul.replaceChildren();
  for (const o of state.objects) {
    const li = document.createElement('li');
    li.dataset.id = o.id;
    if (o.id === state.selected) li.className = 'selected';
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.background = o.color;
    const info = document.createElement('span');
    info.className = 'info';
    const frames = [...prompts.keys()].filter((k) => k.startsWith(o.id + ':')).map((k) => k.split(':')[1]);
    info.textContent = `object ${o.id}` + (frames.length ? ` · frames ${frames.join(', ')}` : ' · no prompt yet');
    const del = document.createElement('button');
    del.textContent = '✕';
    del.title = 'remove this object';
    del.onclick = (e) => { e.stopPropagation(); removeObject(o.id); };
    li.append(sw, info, del);
    li.onclick = () => { state.selected = o.id; renderObjects(); };
    ul.append(li);
  }
}

async function startJob(kind) {
  try {
    const body = { engine: engine() };
    if (kind === 'remove') body.dilate = +$('dilate').value;
    const j = await api('POST', `/api/sessions/${sid()}/${kind}`, body);
    follow(j);
  } catch (e) { status(e.message, true); }
}

// A job's server-sent events: the --progress json objects (progress, notices, then the outcome).
function follow(j) {
  state.job = j;
  state.follow = true;
  document.body.dataset.job = `${j.kind}:running`;
  $('cancel').disabled = false;
  $('track').disabled = $('remove').disabled = true;
  $('progress').value = 0;
  $('progressText').textContent = `${j.kind}: starting…`;
  $('jobNotices').replaceChildren();
  if (state.events) state.events.close();
  const es = new EventSource(`/api/jobs/${j.id}/events`);
  state.events = es;
  let lastShown = 0;
  es.onmessage = async (m) => {
    const o = JSON.parse(m.data);
    if (o.notice) { $('progressText').textContent = o.notice; $('jobNotices').append(noticeItem(o.notice)); return; }
    if (o.event) { es.close(); await finished(j, o); return; }
    $('progress').value = o.total ? o.done / o.total : 0;
    $('progressText').textContent = `${o.stage}: ${o.done} / ${o.total}` + (o.fps ? ` · ${o.fps} /s` : '') + (o.eta_s != null ? ` · ${o.eta_s} s left` : '');
    // Masks over the clip while it runs: show the latest tracked frame now and then.
    if ((o.stage === 'track' || o.stage === 'remove') && state.follow && o.done > 0 && performance.now() - lastShown > 600) {
      lastShown = performance.now();
      showFrame(Math.min(o.done - 1, state.session.frames - 1), false);
    }
  };
  es.onerror = () => { if (es.readyState === EventSource.CLOSED) status('lost the connection to the job', true); };
}

async function finished(j, outcome) {
  state.follow = false;
  $('cancel').disabled = true;
  $('track').disabled = $('remove').disabled = false;
  document.body.dataset.job = `${j.kind}:${outcome.event}`;
  if (outcome.event !== 'done') {
    $('progressText').textContent = `${j.kind} ${outcome.event}: ${outcome.message || ''}`;
    status(`${j.kind} ${outcome.event}` + (outcome.message ? ': ' + outcome.message : ''), outcome.event === 'failed');
    return;
  }
  $('progress').value = 1;
  const r = (await api('GET', `/api/jobs/${j.id}`)).result;
  $('progressText').textContent = `${j.kind} done: ${r.frames} frames` + (r.seconds ? ` in ${Object.values(r.seconds).reduce((a, b) => a + b, 0).toFixed(1)} s` : '')
    + (r.stages ? ' · ' + Object.entries(r.stages).map(([stage, kind]) => `${stage} ${kind}`).join(', ') : '');
  status(`${j.kind} done`);
  drawMasks();
  if (j.kind === 'remove') {
    $('original').src = `/api/sessions/${sid()}/video`;
    $('removed').src = `/api/jobs/${j.id}/result`;
    $('download').href = `/api/jobs/${j.id}/result`;
    $('downloadMasks').href = `/api/jobs/${j.id}/masks.zip`;
    $('result').hidden = false;
    document.body.dataset.result = j.id;
  }
}

init();
