/*
 * The demo page of pintgw (served as /demo.js): reads /demo/config (404
 * outside demo mode: then asks for an API key and a click token), arms
 * the call button that /widget.js turns into the click-to-call widget,
 * sends fax and content requests with the API key, lists the latest
 * requests every second and shows the events and the SIP messages
 * (/demo/trace/{id}) of the selected one.
 */
(function () {
	'use strict';

	var TERMINAL = {completed: 1, failed: 1, canceled: 1, expired: 1};
	var LIST_EVERY = 1000;          /* ms between list refreshes */
	var DETAIL_EVERY = 1000;
	var DETAIL_QUIET = 5;           /* unchanged rounds after the end, then stop */
	var STORE_KEY = 'pintgw.demo.api_key';
	var STORE_TOKEN = 'pintgw.demo.click_token';

	var state = {
		apiKey: '',
		demo: false,
		listing: false,
		listBusy: false,
		rows: Object.create(null),
		selected: null          /* {id, gen, seqEv, seqSip, base, quiet, timer} */
	};
	var gen = 0;

	function $(sel, root) {
		return (root || document).querySelector(sel);
	}

	function h(tag, attrs) {
		var n = document.createElement(tag);
		var i, k, c;

		for (k in attrs || {}) {
			if (k === 'text')
				n.textContent = attrs[k];
			else if (attrs[k] === true)
				n.setAttribute(k, '');
			else if (attrs[k] != null && attrs[k] !== false)
				n.setAttribute(k, attrs[k]);
		}
		for (i = 2; i < arguments.length; i++) {
			c = arguments[i];
			if (c == null)
				continue;
			n.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
		}
		return n;
	}

	function notice(text) {
		var n = $('#notice');

		n.textContent = text || '';
		n.hidden = !text;
	}

	function clockTime(iso) {
		var d = new Date(iso);

		if (isNaN(d.getTime()))
			return iso || '';
		return d.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit',
			second: '2-digit', hour12: false});
	}

	function offset(iso, base) {
		var ms = new Date(iso).getTime() - base;

		if (isNaN(ms))
			return '';
		return (ms < 0 ? '−' : '+') + (Math.abs(ms) / 1000).toFixed(3) + ' s';
	}

	function randomKey() {
		var b = new Uint8Array(12);

		crypto.getRandomValues(b);
		return 'demo-' + Array.prototype.map.call(b, function (x) {
			return (x < 16 ? '0' : '') + x.toString(16);
		}).join('');
	}

	/* fetch() with the API key; resolves {status, body} (body: JSON or null). */
	function api(method, path, body, headers) {
		var hd = Object.assign({'Accept': 'application/json'}, headers || {});
		var opts = {method: method, headers: hd, cache: 'no-store'};

		if (state.apiKey)
			hd['Authorization'] = 'Bearer ' + state.apiKey;
		if (body !== undefined) {
			hd['Content-Type'] = 'application/json';
			opts.body = JSON.stringify(body);
		}
		return fetch(path, opts).then(function (res) {
			return res.text().then(function (t) {
				var b = null;

				try {
					b = t ? JSON.parse(t) : null;
				} catch (e) {
					b = null;
				}
				return {status: res.status, body: b};
			});
		});
	}

	function errorLine(res) {
		var e = res.body && res.body.error;

		if (e)
			return e.message + ' (' + res.status + ' ' + e.code + ')';
		return 'HTTP ' + res.status;
	}

	/* ---- configuration ---- */

	function start() {
		fetch('/demo/config', {cache: 'no-store', headers: {'Accept': 'application/json'}})
			.then(function (res) {
				/* 404: not demo mode; 403: not for this client. */
				if (res.status === 404 || res.status === 403)
					return null;
				if (!res.ok)
					throw new Error('HTTP ' + res.status);
				return res.json();
			})
			.then(function (cfg) {
				if (cfg)
					useDemo(cfg);
				else
					useSetup();
			}, function (e) {
				notice('Could not read the demo configuration from pintgw (' +
					e.message + '). Is pintgw running?');
			});
	}

	function useDemo(cfg) {
		state.demo = true;
		state.apiKey = cfg.api_key || '';
		$('#sim-addr').textContent = cfg.sim || 'on loopback';
		armButton(cfg.click_token || '');
		fillOutcomes(cfg.outcomes || []);
		listLoop();
	}

	function useSetup() {
		var key = sessionStorage.getItem(STORE_KEY) || '';
		var token = sessionStorage.getItem(STORE_TOKEN) || '';

		state.demo = false;
		$('#sim-note').hidden = true;
		$('#outcomes-card').hidden = true;
		$('#setup').hidden = false;
		$('#setup-key').value = key;
		$('#setup-token').value = token;
		$('#setup-form').addEventListener('submit', function (e) {
			e.preventDefault();
			sessionStorage.setItem(STORE_KEY, $('#setup-key').value.trim());
			sessionStorage.setItem(STORE_TOKEN, $('#setup-token').value.trim());
			applySetup();
		});
		$('#setup-forget').addEventListener('click', function () {
			sessionStorage.removeItem(STORE_KEY);
			sessionStorage.removeItem(STORE_TOKEN);
			$('#setup-key').value = '';
			$('#setup-token').value = '';
			applySetup();
		});
		applySetup();
	}

	function applySetup() {
		state.apiKey = sessionStorage.getItem(STORE_KEY) || '';
		armButton(sessionStorage.getItem(STORE_TOKEN) || '');
		notice('');
		if (state.apiKey)
			listLoop();
	}

	/* The button stays a plain site button: /widget.js finds the token. */
	function armButton(token) {
		var b = $('#call-button');
		var shown = token.length > 24 ? token.slice(0, 24) + '…' : token;

		if (token) {
			b.setAttribute('data-pint-token', token);
			b.disabled = false;
		} else {
			b.removeAttribute('data-pint-token');
			b.disabled = true;
		}
		$('#call-note').hidden = !!token;
		$('#snippet').textContent =
			'<script src="' + location.origin + '/widget.js" async></script>\n' +
			'<button data-pint-token="' + (shown || 'TOKEN') + '">Call me</button>';
	}

	function fillOutcomes(list) {
		var tb = $('#outcomes tbody');

		tb.textContent = '';
		list.forEach(function (o) {
			var number = '+1 555 555 ' + o.digits;
			var use = h('button', {type: 'button', 'class': 'small',
				'aria-label': 'Use ' + number + ' in the call form'}, 'Use');

			use.addEventListener('click', function () { useNumber(number); });
			tb.appendChild(h('tr', null,
				h('td', null, h('span', {'class': 'try'},
					h('code', {text: number}), use)),
				h('td', null, h('span', {'class': 'outcome', text: o.name})),
				h('td', {text: o.description || ''})));
		});
		$('#outcomes-card').hidden = !list.length;
	}

	/* Opens the widget's form (if closed) with this number in it. */
	function useNumber(number) {
		var b = $('#call-button');
		var root = b.nextElementSibling;
		var input;

		if (!root || !root.classList.contains('pint-widget'))
			return;
		if (root.querySelector('.pint-form').hidden)
			b.click();
		input = root.querySelector('.pint-input');
		if (input && !input.readOnly) {
			input.value = number;
			input.focus();
		}
	}

	/* ---- fax and content ---- */

	function onCreate(e) {
		var form = e.target;
		var out = $('.result', form);
		var service = form.getAttribute('data-service');
		var body = {
			service: service,
			to: form.elements.to.value.trim(),
			content: [{type: 'text/plain', text: form.elements.text.value}]
		};
		var submit = $('button[type=submit]', form);

		e.preventDefault();
		if (!state.apiKey) {
			out.textContent = 'No API key yet: fill in "Connect to pintgw" first.';
			return;
		}
		if (form.elements.language && form.elements.language.value)
			body.language = form.elements.language.value;
		submit.disabled = true;
		out.textContent = 'Sending…';
		api('POST', '/v1/requests', body, {'Idempotency-Key': randomKey()})
			.then(function (res) {
				if (res.status === 201 && res.body && res.body.id) {
					out.textContent = 'Created ' + res.body.id + ' (' + res.body.status +
						'): it is selected below.';
					refreshList();
					select(res.body.id, false);
				} else {
					out.textContent = 'Refused: ' + errorLine(res);
				}
			}, function (err) {
				out.textContent = 'Could not reach pintgw: ' + err.message;
			})
			.then(function () { submit.disabled = false; });
	}

	/* ---- the request list ---- */

	/* Starts the refresh loop once; later calls refresh at once. */
	function listLoop() {
		if (state.listing) {
			refreshList();
			return;
		}
		state.listing = true;
		(function turn() {
			refreshList().then(function () {
				setTimeout(turn, LIST_EVERY);
			});
		}());
	}

	function refreshList() {
		if (state.listBusy || document.hidden || !state.apiKey)
			return Promise.resolve();
		state.listBusy = true;
		return api('GET', '/v1/requests?limit=20').then(function (res) {
			state.listBusy = false;
			if (res.status === 200 && res.body && res.body.requests) {
				notice('');
				renderList(res.body.requests);
			} else if (res.status === 401 || res.status === 403) {
				notice('pintgw refused the API key (' + errorLine(res) + ').');
			} else {
				notice('Listing requests failed: ' + errorLine(res));
			}
		}, function () {
			state.listBusy = false;
			notice('pintgw does not answer. Retrying every second…');
		});
	}

	function toText(p) {
		if (!p)
			return '';
		return p.number || p.input || '';
	}

	function outcomeText(o) {
		if (!o)
			return '';
		return o.code + (o.sip_code ? ' (' + o.sip_code + ')' : '');
	}

	function badge(status) {
		return h('span', {'class': 'badge s-' + status, text: status});
	}

	function setCell(td, value, make) {
		if (td.getAttribute('data-v') === value)
			return;
		td.setAttribute('data-v', value);
		td.textContent = '';
		td.appendChild(make ? make(value) : document.createTextNode(value));
	}

	function rowFor(r) {
		var tr = state.rows[r.id];
		var btn;

		if (tr)
			return tr;
		btn = h('button', {type: 'button', 'class': 'link mono'},
			h('span', {'class': 'sr', text: 'Show '}), r.id);
		btn.addEventListener('click', function () { select(r.id, true); });
		tr = h('tr', {'data-id': r.id},
			h('th', {scope: 'row'}, btn), h('td'), h('td', {'class': 'mono'}),
			h('td'), h('td'), h('td'));
		tr.addEventListener('click', function (e) {
			if (e.target.closest('button') === null && !window.getSelection().toString())
				select(r.id, false);
		});
		state.rows[r.id] = tr;
		return tr;
	}

	function renderList(list) {
		var tb = $('#requests tbody');
		var keep = Object.create(null);

		list.forEach(function (r, i) {
			var tr = rowFor(r);
			var c = tr.cells;

			keep[r.id] = 1;
			setCell(c[1], r.service || '');
			setCell(c[2], toText(r.to));
			setCell(c[3], r.status || '', badge);
			setCell(c[4], outcomeText(r.outcome));
			setCell(c[5], clockTime(r.created_at));
			tr.setAttribute('data-status', r.status || '');
			if (tb.rows[i] !== tr)
				tb.insertBefore(tr, tb.rows[i] || null);
		});
		Object.keys(state.rows).forEach(function (id) {
			if (!keep[id]) {
				if (state.rows[id].parentNode)
					state.rows[id].parentNode.removeChild(state.rows[id]);
				delete state.rows[id];
			}
		});
		markSelected();
		$('#requests-empty').hidden = list.length > 0;
	}

	function markSelected() {
		Object.keys(state.rows).forEach(function (id) {
			var on = state.selected && state.selected.id === id;
			var tr = state.rows[id];

			tr.classList.toggle('selected', !!on);
			if (on)
				tr.setAttribute('aria-current', 'true');
			else
				tr.removeAttribute('aria-current');
		});
	}

	/* ---- one request in detail ---- */

	function select(id, focus) {
		var s = state.selected;

		if (s && s.id === id) {
			if (focus)
				$('#detail-h').focus();
			return;
		}
		if (s)
			clearTimeout(s.timer);
		state.selected = {id: id, gen: ++gen, seqEv: 0, seqSip: 0, base: NaN,
			quiet: 0, timer: 0, status: ''};
		markSelected();
		$('#detail').hidden = false;
		$('#detail-h').textContent = 'Request ' + id;
		$('#detail-summary').textContent = 'Loading…';
		$('#detail-result').textContent = '';
		$('#detail-cancel').hidden = true;
		$('#events').textContent = '';
		$('#trace').textContent = '';
		$('#trace-note').textContent = '';
		if (focus)
			$('#detail-h').focus();
		detailLoop(state.selected);
	}

	function detailLoop(s) {
		var id = encodeURIComponent(s.id);

		if (state.selected !== s)
			return;
		Promise.all([
			api('GET', '/v1/requests/' + id),
			api('GET', '/v1/requests/' + id + '/events'),
			state.demo ? api('GET', '/demo/trace/' + id) : {status: 404, body: null}
		]).then(function (r) {
			var changed;

			if (state.selected !== s)
				return;
			showSummary(s, r[0]);
			changed = showEvents(s, r[1]);
			changed = showTrace(s, r[2]) || changed;
			s.quiet = TERMINAL[s.status] && !changed ? s.quiet + 1 : 0;
			if (s.quiet < DETAIL_QUIET)
				s.timer = setTimeout(function () { detailLoop(s); }, DETAIL_EVERY);
		}, function () {
			if (state.selected === s)
				s.timer = setTimeout(function () { detailLoop(s); }, DETAIL_EVERY * 2);
		});
	}

	function showSummary(s, res) {
		var r = res.body;
		var parts;

		if (res.status !== 200 || !r) {
			$('#detail-summary').textContent = 'Could not read the request: ' + errorLine(res);
			return;
		}
		s.status = r.status;
		s.base = new Date(r.created_at).getTime();
		parts = [r.service + ' to ' + toText(r.to)];
		if (r.from && toText(r.from))
			parts.push('from ' + toText(r.from));
		parts.push('status ' + r.status);
		if (r.outcome)
			parts.push('outcome ' + outcomeText(r.outcome) +
				(r.outcome.reason ? ' “' + r.outcome.reason + '”' : ''));
		parts.push('created ' + clockTime(r.created_at));
		$('#detail-summary').textContent = parts.join(' · ');
		$('#detail-cancel').hidden = !!TERMINAL[r.status];
	}

	function showEvents(s, res) {
		var ol = $('#events');
		var added = false;

		if (res.status !== 200 || !res.body || !res.body.events)
			return false;
		res.body.events.forEach(function (ev) {
			var extra = [];

			if (ev.seq <= s.seqEv)
				return;
			s.seqEv = ev.seq;
			added = true;
			if (ev.info)
				extra.push(ev.info);
			if (ev.sip && ev.sip.last_code)
				extra.push('SIP ' + ev.sip.last_code);
			if (ev.sip && ev.sip.warning)
				extra.push('Warning: ' + ev.sip.warning);
			ol.appendChild(h('li', {'data-status': ev.status},
				h('time', {datetime: ev.at, title: ev.at, text: offset(ev.at, s.base)}),
				badge(ev.status),
				h('span', {'class': 'info', text: extra.join(' · ')})));
		});
		return added;
	}

	function showTrace(s, res) {
		var ol = $('#trace');
		var note = $('#trace-note');
		var added = false;
		var msgs;

		if (res.status === 404) {
			note.textContent = state.demo ? 'No SIP messages recorded for this request yet.' :
				'SIP messages are shown in demo mode (pintgw --demo) only.';
			return false;
		}
		if (res.status !== 200 || !res.body || !res.body.messages)
			return false;
		msgs = res.body.messages;
		note.textContent = msgs.length ? 'Select a message to see it whole.' :
			'No SIP messages yet.';
		if (msgs.length && msgs[0].peer)
			$('#trace-peer').textContent = 'gateway ' + msgs[0].peer;
		msgs.forEach(function (m) {
			var out = m.dir === 'out';

			if (m.seq <= s.seqSip)
				return;
			s.seqSip = m.seq;
			added = true;
			ol.appendChild(h('li', {'class': out ? 'out' : 'in', 'data-seq': m.seq},
				h('details', null,
					h('summary', null,
						h('time', {datetime: m.at, title: m.at, text: offset(m.at, s.base)}),
						h('span', {'class': 'arrow'},
							h('span', {'class': 'sr', text: out ? 'pintgw to ' + m.peer + ': ' :
								m.peer + ' to pintgw: '}),
							h('span', {'class': 'first', text: m.first}))),
					h('pre', {text: m.text}))));
		});
		return added;
	}

	function onCancel() {
		var s = state.selected;
		var out = $('#detail-result');

		if (!s)
			return;
		out.textContent = 'Canceling…';
		api('DELETE', '/v1/requests/' + encodeURIComponent(s.id)).then(function (res) {
			out.textContent = res.status === 200 ? 'Canceled.' : 'Not canceled: ' + errorLine(res);
			if (state.selected === s && s.quiet >= DETAIL_QUIET) {
				s.quiet = 0;
				detailLoop(s);
			}
		}, function (err) {
			out.textContent = 'Could not reach pintgw: ' + err.message;
		});
	}

	document.addEventListener('DOMContentLoaded', function () {
		$('#fax-form').addEventListener('submit', onCreate);
		$('#content-form').addEventListener('submit', onCreate);
		$('#detail-cancel').addEventListener('click', onCancel);
		document.addEventListener('visibilitychange', function () {
			if (!document.hidden && state.apiKey)
				listLoop();
		});
		start();
	});
}());
