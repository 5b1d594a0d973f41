/*
 * pintgw click-to-call widget, served as /widget.js. A site adds
 *
 *   <script src="https://gw.example/widget.js" async></script>
 *   <button data-pint-token="TOKEN">Call me</button>
 *
 * and every element with data-pint-token (also ones added later) opens a
 * small phone-number form. The widget POSTs {"token", "to"} to
 * <origin of this script>/v1/click and follows the request with
 * server-sent events, or long-polls when EventSource is missing or fails
 * before the first event.
 *
 * Options, as data attributes on the button: data-pint-service-label (the
 * form's title), data-pint-placeholder, data-pint-country (the country
 * calling code assumed for numbers typed without one, e.g. "44").
 * State, on the .pint-widget element placed right after the button:
 * data-pint-status (idle, editing, submitting, error, or the request's
 * status), data-pint-outcome (the outcome code once it ended),
 * data-pint-request (the request id), data-pint-error (an error code).
 * The button also fires a bubbling "pint:status" event on each change.
 * Styling: classes pint-*, custom properties --pint-* (see CSS below).
 * The only global is window.PintWidget: {version, init(options), scan(root)}.
 */
(function () {
	'use strict';

	if (window.PintWidget)
		return;

	var VERSION = '1.0.0';
	var STATUSES = ['queued', 'sending', 'proceeding', 'accepted', 'active',
		'completed', 'failed', 'canceled', 'expired'];
	var TERMINAL = {completed: 1, failed: 1, canceled: 1, expired: 1};
	var LIVE = {submitting: 1, queued: 1, sending: 1, proceeding: 1,
		accepted: 1, active: 1};
	var POLL_WAIT = 25;             /* seconds the server may hold a poll */
	var POLL_GIVE_UP = 120000;      /* ms of failed polls before giving up */

	var STATUS_TEXT = {
		submitting: 'Sending your request…',
		queued: 'Request received',
		sending: 'Calling the gateway…',
		proceeding: 'Ringing…',
		accepted: 'Connected',
		active: 'Connected',
		completed: 'Call completed',
		failed: 'The call could not be made',
		canceled: 'Call canceled',
		expired: 'Request expired'
	};
	var STATUS_DETAIL = {
		queued: 'Your call is being set up.',
		sending: 'Your request is on its way to the telephone network.',
		proceeding: 'Your phone should ring in a moment.',
		accepted: 'The telephone network took the call.',
		active: 'Pick up: you are being connected.',
		completed: 'Thank you for calling.',
		canceled: 'The call was called off before it ended.',
		expired: 'It was not placed in time. You can try again.'
	};
	var OUTCOME_TEXT = {
		busy: 'Line busy',
		no_answer: 'No answer',
		rejected: 'Call declined',
		unsupported: 'This kind of call is not possible here',
		not_found: 'Number not reachable',
		unreachable: 'The telephone network could not be reached',
		auth_failed: 'The call service was refused by the telephone network',
		interrupted: 'The call was interrupted',
		canceled: 'Call canceled',
		expired: 'Request expired',
		error: 'The call could not be made'
	};
	var OUTCOME_DETAIL = {
		busy: 'Your line was busy. Please try again in a few minutes.',
		no_answer: 'Nobody picked up. You can try again.',
		rejected: 'The call was declined.',
		not_found: 'Please check the number and try again.',
		unreachable: 'Please try again later.',
		interrupted: 'Please try again.',
		error: 'Please try again later.'
	};

	var CSS = [
		/* Defaults follow the page's color-scheme (light-dark()). */
		'.pint-widget{--pint-_a:var(--pint-accent,light-dark(#0b57d0,#8ab4f8));',
		'--pint-_at:var(--pint-accent-text,light-dark(#fff,#0b1a33));',
		'--pint-_bg:var(--pint-bg,Canvas);--pint-_fg:var(--pint-fg,CanvasText);',
		'--pint-_bd:var(--pint-border,light-dark(#80868b,#9aa0a6));',
		'--pint-_r:var(--pint-radius,.5rem);',
		'--pint-_err:var(--pint-error,light-dark(#b3261e,#f28b82));',
		'--pint-_ok:var(--pint-ok,light-dark(#1e7b34,#81c995));',
		'--pint-_mu:var(--pint-muted,light-dark(#5f6368,#bdc1c6));',
		'--pint-_fo:var(--pint-focus,var(--pint-_a));',
		'display:block;max-width:var(--pint-width,24rem);',
		'font-family:var(--pint-font,inherit);line-height:1.4;color:var(--pint-_fg)}',
		'.pint-widget *{box-sizing:border-box}',
		'.pint-form,.pint-status,.pint-after{margin:.5rem 0 0}',
		'.pint-form{padding:1rem;border:1px solid var(--pint-_bd);',
		'border-radius:var(--pint-_r);background:var(--pint-_bg)}',
		'.pint-title{margin:0 0 .5rem;font-weight:600}',
		'.pint-label{display:block;font-weight:600}',
		'.pint-hint{margin:.125rem 0 .375rem;font-size:.875em;color:var(--pint-_mu)}',
		'.pint-input{display:block;width:100%;font:inherit;padding:.5rem .625rem;',
		'border:1px solid var(--pint-_bd);border-radius:calc(var(--pint-_r) * .6);',
		'background:var(--pint-_bg);color:var(--pint-_fg)}',
		'.pint-input[aria-invalid="true"]{border-color:var(--pint-_err);',
		'box-shadow:0 0 0 1px var(--pint-_err)}',
		'.pint-error{margin:.375rem 0 0;color:var(--pint-_err);font-size:.9375em}',
		'.pint-error:empty{margin:0}',
		'.pint-actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}',
		'.pint-widget button{font:inherit;cursor:pointer;padding:.5rem 1rem;',
		'border-radius:calc(var(--pint-_r) * .6);border:1px solid var(--pint-_a);',
		'background:var(--pint-_bg);color:var(--pint-_a)}',
		'.pint-widget button.pint-primary{background:var(--pint-_a);color:var(--pint-_at)}',
		'.pint-widget button:disabled{opacity:.6;cursor:default}',
		'.pint-widget :focus-visible{outline:2px solid var(--pint-_fo);outline-offset:2px}',
		'.pint-status:focus{outline:none}',
		'.pint-status:focus-visible{outline:2px solid var(--pint-_fo);outline-offset:2px}',
		'.pint-status-text{font-weight:600}',
		'.pint-status-text:empty,.pint-status-detail:empty{display:none}',
		'.pint-status-detail{display:block;font-size:.9375em;color:var(--pint-_mu)}',
		'.pint-dot{display:inline-block;width:.625rem;height:.625rem;margin-right:.5rem;',
		'border-radius:50%;background:var(--pint-_a);vertical-align:baseline}',
		'.pint-dot[hidden]{display:none}',
		'.pint-widget[data-pint-status="completed"] .pint-dot{background:var(--pint-_ok)}',
		'.pint-widget[data-pint-status="failed"] .pint-dot,',
		'.pint-widget[data-pint-status="error"] .pint-dot,',
		'.pint-widget[data-pint-status="expired"] .pint-dot,',
		'.pint-widget[data-pint-status="canceled"] .pint-dot{background:var(--pint-_err)}',
		'.pint-widget.pint-busy .pint-dot{animation:pint-pulse 1.2s ease-in-out infinite}',
		'@keyframes pint-pulse{50%{opacity:.25;transform:scale(.7)}}',
		'@media (prefers-reduced-motion:reduce){.pint-widget .pint-dot{animation:none}}',
		'.pint-after{display:flex;flex-wrap:wrap;gap:.5rem}',
		'.pint-widget [hidden]{display:none}'
	].join('\n');

	var apiBase = scriptOrigin();
	var widgets = [];
	var serial = 0;
	var observer = null;

	/* The origin this script came from: the API lives there. */
	function scriptOrigin() {
		var s = document.currentScript;
		var i, list;

		if (!s || !s.src) {
			list = document.getElementsByTagName('script');
			for (i = list.length - 1; i >= 0; i--) {
				if (/\/widget\.js(\?|#|$)/.test(list[i].src)) {
					s = list[i];
					break;
				}
			}
		}
		try {
			return new URL(s && s.src ? s.src : location.href).origin;
		} catch (e) {
			return location.origin;
		}
	}

	function el(tag, attrs, kids) {
		var n = document.createElement(tag);
		var k;

		for (k in attrs || {}) {
			if (attrs[k] === true)
				n.setAttribute(k, '');
			else if (attrs[k] !== false && attrs[k] != null)
				n.setAttribute(k, attrs[k]);
		}
		(kids || []).forEach(function (c) {
			n.appendChild(typeof c === 'string' ?
				document.createTextNode(c) : c);
		});
		return n;
	}

	function injectStyle() {
		var head, st;

		if (document.getElementById('pint-widget-style'))
			return;
		st = el('style', {id: 'pint-widget-style'});
		st.textContent = CSS;
		/* First in <head>: the site's own rules come later and win. */
		head = document.head || document.documentElement;
		head.insertBefore(st, head.firstChild);
	}

	/*
	 * A typed number → {to} (what to send) or {error} (what to say). With
	 * a country code, national numbers become E.164: one trunk "0" goes
	 * (a leading "1" for NANP); "00" is the international prefix.
	 */
	function checkNumber(raw, country) {
		var s = raw.replace(/^\s+|\s+$/g, '');
		var cc = (country || '').replace(/\D/g, '');
		var digits, intl;

		if (!s)
			return {error: 'Enter your phone number.'};
		if (!/^\+?[0-9\s().\/-]+$/.test(s))
			return {error: 'Use digits only, with the country code after a + if you like, ' +
				'for example +1\u00a0555\u00a0555\u00a00100.'};
		digits = s.replace(/\D/g, '');
		intl = s.charAt(0) === '+';
		if (!intl && digits.slice(0, 2) === '00') {
			digits = digits.slice(2);
			intl = true;
		} else if (!intl && cc) {
			if (cc === '1' && digits.length === 11 && digits.charAt(0) === '1')
				digits = digits.slice(1);
			else if (digits.charAt(0) === '0')
				digits = digits.slice(1);
			if (digits.length < 4)
				return {error: 'That number is too short: include the area code.'};
			digits = cc + digits;
			intl = true;
		}
		if (intl) {
			if (digits.charAt(0) === '0')
				return {error: 'After the + comes the country code, which never starts with 0.'};
			if (digits.length < 7)
				return {error: 'That number is too short: write it with the country code ' +
					'and the area code, for example +1\u00a0555\u00a0555\u00a00100.'};
			if (digits.length > 15)
				return {error: 'That number is too long: phone numbers have at most 15 digits.'};
			return {to: '+' + digits};
		}
		if (digits.length < 6)
			return {error: 'That number is too short: include the area code.'};
		if (digits.length > 15)
			return {error: 'That number is too long: phone numbers have at most 15 digits.'};
		return {to: s};
	}

	/* An error reply of POST /v1/click in words for the caller. */
	function errorText(status, err, retryAfter) {
		var code = (err && err.code) || '';
		var wait = retryAfter > 0 ? (retryAfter === 1 ? 'a second' :
			retryAfter < 120 ? retryAfter + ' seconds' :
			Math.ceil(retryAfter / 60) + ' minutes') : 'a moment';

		if (code === 'destination_denied')
			return 'Sorry, we cannot call that number from here.';
		if (code === 'invalid_number' || (err && err.field === 'to'))
			return 'That number does not look right. Write it with the country code, ' +
				'for example +1\u00a0555\u00a0555\u00a00100.';
		if (code === 'concurrency_limit')
			return 'All our lines are busy right now. Please try again in ' + wait + '.';
		switch (status) {
		case 400:
		case 413:
		case 415:
			return 'The call service did not understand the request. Please reload the page and try again.';
		case 401:
			return 'This call button has expired or is not valid. Please reload the page and try again.';
		case 403:
			return 'Sorry, this call button may not call that number.';
		case 404:
			return 'The call service was not found. Please try again later.';
		case 409:
			return 'This call button has been used up. Please reload the page and try again.';
		case 422:
			return 'Sorry, this call cannot be placed. Please try again later or contact us another way.';
		case 429:
			return 'Too many calls were requested. Please try again in ' + wait + '.';
		case 503:
			return 'The call service is busy right now. Please try again in ' + wait + '.';
		default:
			return 'Something went wrong (HTTP ' + status + '). Please try again.';
		}
	}

	function fetchJSON(url, options, timeoutMs) {
		var ctl = typeof AbortController === 'function' ? new AbortController() : null;
		var timer = ctl ? setTimeout(function () { ctl.abort(); }, timeoutMs) : 0;
		var opts = Object.assign({mode: 'cors', credentials: 'omit', cache: 'no-store'},
			options || {});

		if (ctl)
			opts.signal = ctl.signal;
		return fetch(url, opts).then(function (res) {
			return res.text().then(function (text) {
				var body = null;

				clearTimeout(timer);
				try {
					body = text ? JSON.parse(text) : null;
				} catch (e) {
					body = null;
				}
				return {status: res.status, headers: res.headers, body: body};
			});
		}).catch(function (e) {
			clearTimeout(timer);
			throw e;
		});
	}

	function Widget(button) {
		var id = 'pint-w' + (++serial);
		var self = this;

		this.button = button;
		this.id = id;
		this.status = 'idle';
		this.req = null;        /* the request being followed */
		this.lastTo = '';

		this.input = el('input', {
			'class': 'pint-input', id: id + '-input', type: 'tel', name: 'tel',
			autocomplete: 'tel', inputmode: 'tel', maxlength: '40',
			spellcheck: 'false', 'aria-describedby': id + '-hint ' + id + '-error'
		});
		this.hint = el('p', {'class': 'pint-hint', id: id + '-hint'});
		this.error = el('p', {'class': 'pint-error', id: id + '-error', 'aria-live': 'polite'});
		this.title = el('p', {'class': 'pint-title', id: id + '-title'});
		this.submit = el('button', {type: 'submit', 'class': 'pint-submit pint-primary'},
			['Call me now']);
		this.cancel = el('button', {type: 'button', 'class': 'pint-cancel'}, ['Cancel']);
		this.form = el('form', {
			'class': 'pint-form', id: id + '-form', novalidate: true, hidden: true,
			'aria-labelledby': id + '-title'
		}, [
			this.title,
			el('label', {'class': 'pint-label', 'for': id + '-input'}, ['Your phone number']),
			this.hint, this.input, this.error,
			el('div', {'class': 'pint-actions'}, [this.submit, this.cancel])
		]);
		this.dot = el('span', {'class': 'pint-dot', 'aria-hidden': 'true', hidden: true});
		this.statusText = el('span', {'class': 'pint-status-text'});
		this.statusDetail = el('span', {'class': 'pint-status-detail'});
		this.statusLine = el('div', {
			'class': 'pint-status', role: 'status', 'aria-live': 'polite',
			'aria-atomic': 'true', tabindex: '-1'
		}, [this.dot, this.statusText, this.statusDetail]);
		this.again = el('button', {type: 'button', 'class': 'pint-again pint-primary'},
			['Call again']);
		this.close = el('button', {type: 'button', 'class': 'pint-close'}, ['Close']);
		this.after = el('div', {'class': 'pint-after', hidden: true},
			[this.again, this.close]);
		this.root = el('div', {'class': 'pint-widget', id: id, 'data-pint-status': 'idle'},
			[this.form, this.statusLine, this.after]);

		button.classList.add('pint-trigger');
		button.setAttribute('aria-expanded', 'false');
		button.setAttribute('aria-controls', id);
		if (!/^(BUTTON|INPUT)$/.test(button.tagName)) {
			if (!button.hasAttribute('role'))
				button.setAttribute('role', 'button');
			if (!button.hasAttribute('tabindex'))
				button.setAttribute('tabindex', '0');
			this.onKey = function (e) {
				if (e.key === 'Enter' || e.key === ' ') {
					e.preventDefault();
					self.onTrigger(e);
				}
			};
			button.addEventListener('keydown', this.onKey);
		}
		this.onClick = function (e) {
			self.onTrigger(e);
		};
		button.addEventListener('click', this.onClick);
		this.form.addEventListener('submit', function (e) {
			e.preventDefault();
			self.send();
		});
		this.input.addEventListener('input', function () {
			if (self.input.getAttribute('aria-invalid') === 'true')
				self.validate();
		});
		this.cancel.addEventListener('click', function () { self.reset(true); });
		this.close.addEventListener('click', function () { self.reset(true); });
		this.again.addEventListener('click', function () { self.open(); });
		this.root.addEventListener('keydown', function (e) {
			if (e.key !== 'Escape' && e.key !== 'Esc')
				return;
			if (self.status === 'editing' || self.status === 'error' ||
			    TERMINAL[self.status]) {
				e.preventDefault();
				self.reset(true);
			}
		});
		button.insertAdjacentElement('afterend', this.root);
	}

	Widget.prototype.option = function (name, def) {
		var v = this.button.getAttribute('data-pint-' + name);

		return v === null || v === '' ? def : v;
	};

	Widget.prototype.onTrigger = function (e) {
		if (e)
			e.preventDefault();
		if (LIVE[this.status])
			this.statusLine.focus();
		else if (!this.form.hidden)
			this.reset(true);
		else
			this.open();
	};

	/* Sets the machine-readable state and the human status line. */
	Widget.prototype.setState = function (status, text, detail, extra) {
		var r = this.root;

		extra = extra || {};
		this.status = status;
		r.setAttribute('data-pint-status', status);
		['outcome', 'request', 'error'].forEach(function (k) {
			if (extra[k])
				r.setAttribute('data-pint-' + k, extra[k]);
			else
				r.removeAttribute('data-pint-' + k);
		});
		/* Not aria-busy: that would silence the live status line. */
		r.classList.toggle('pint-busy', !!LIVE[status]);
		this.statusText.textContent = text || '';
		this.statusDetail.textContent = detail || '';
		this.dot.hidden = !text;
		this.after.hidden = !TERMINAL[status];
		this.button.dispatchEvent(new CustomEvent('pint:status', {
			bubbles: true,
			detail: {status: status, outcome: extra.outcome || null,
				request: r.getAttribute('data-pint-request'),
				error: extra.error || null}
		}));
	};

	Widget.prototype.open = function () {
		var cc = this.option('country', '').replace(/\D/g, '');

		this.stop();
		this.title.textContent = this.option('service-label', 'We call you back');
		this.hint.textContent = cc ?
			'With the country code (+' + cc + ' is assumed if you leave it out).' :
			'With the country code, for example +1\u00a0555\u00a0555\u00a00100.';
		this.input.placeholder = this.option('placeholder', cc ? '+' + cc + ' …' : '+1 555 555 0100');
		this.input.value = this.lastTo;
		this.input.removeAttribute('aria-invalid');
		this.error.textContent = '';
		this.formDisabled(false);
		this.form.hidden = false;
		this.button.setAttribute('aria-expanded', 'true');
		this.setState('editing', '', '');
		this.input.focus();
		this.input.select();
	};

	/* Back to the closed button; stops following any request. */
	Widget.prototype.reset = function (focusButton) {
		this.stop();
		this.form.hidden = true;
		this.button.setAttribute('aria-expanded', 'false');
		this.setState('idle', '', '');
		if (focusButton)
			this.button.focus();
	};

	Widget.prototype.formDisabled = function (off) {
		this.input.readOnly = off;
		this.submit.disabled = off;
		this.cancel.disabled = off;
	};

	Widget.prototype.validate = function () {
		var r = checkNumber(this.input.value, this.option('country', ''));

		if (r.error) {
			this.input.setAttribute('aria-invalid', 'true');
			this.error.textContent = r.error;
		} else {
			this.input.removeAttribute('aria-invalid');
			this.error.textContent = '';
		}
		return r;
	};

	Widget.prototype.send = function () {
		var self = this;
		var token = this.button.getAttribute('data-pint-token');
		var r = this.validate();

		if (r.error) {
			this.input.focus();
			return;
		}
		if (!token) {
			this.error.textContent = 'This call button is not set up yet (it has no token).';
			return;
		}
		this.lastTo = this.input.value.trim();
		this.formDisabled(true);
		this.setState('submitting', STATUS_TEXT.submitting, '');
		fetchJSON(apiBase + '/v1/click', {
			method: 'POST',
			headers: {'Content-Type': 'application/json', 'Accept': 'application/json'},
			body: JSON.stringify({token: token, to: r.to})
		}, 30000).then(function (res) {
			var b = res.body || {};

			if (self.status !== 'submitting')
				return;         /* closed meanwhile */
			if (res.status === 201 && b.id && b.view_token) {
				self.form.hidden = true;
				self.follow(b.id, b.view_token, b);
				self.statusLine.focus();
				return;
			}
			self.refused(res.status, b.error, Number(res.headers.get('Retry-After')) || 0);
		}, function () {
			if (self.status !== 'submitting')
				return;
			self.refused(0, {code: 'network'}, 0);
		});
	};

	Widget.prototype.refused = function (status, err, retryAfter) {
		var text = status ? errorText(status, err, retryAfter) :
			'Could not reach the call service. Check your connection and try again.';

		this.formDisabled(false);
		this.error.textContent = text;
		this.setState('error', '', '', {error: (err && err.code) || 'http_' + status});
		if ((err && err.field === 'to') || (err && err.code === 'invalid_number'))
			this.input.setAttribute('aria-invalid', 'true');
		this.input.focus();
	};

	/* ---- following one request ---- */

	Widget.prototype.follow = function (id, view, first) {
		this.req = {id: id, view: view, seq: 0, events: 0, es: null,
			poll: null, failSince: 0, done: false};
		this.show(first.status || 'queued', first);
		if (typeof EventSource === 'function')
			this.stream();
		else
			this.longPoll();
	};

	Widget.prototype.stop = function () {
		var q = this.req;

		if (!q)
			return;
		q.done = true;
		if (q.es)
			q.es.close();
		if (q.poll)
			q.poll.abort();
		clearTimeout(q.timer);
		this.req = null;
	};

	Widget.prototype.url = function (suffix, query) {
		var q = this.req;

		return apiBase + '/v1/click/' + encodeURIComponent(q.id) + suffix +
			'?view=' + encodeURIComponent(q.view) + (query || '');
	};

	/* A status (from an event or a resource) on screen, unless terminal. */
	Widget.prototype.show = function (status, data) {
		var q = this.req;

		if (!q || q.done)
			return;
		if (TERMINAL[status]) {
			this.finish(status, data && data.outcome);
			return;
		}
		this.setState(status, STATUS_TEXT[status] || status, STATUS_DETAIL[status] || '',
			{request: q.id});
	};

	Widget.prototype.stream = function () {
		var self = this;
		var q = this.req;
		var es = new EventSource(this.url('/events'));
		var onEvent = function (e) {
			var d;

			if (q.done)
				return;
			try {
				d = JSON.parse(e.data);
			} catch (err) {
				return;
			}
			q.events++;
			if (d.seq && d.seq <= q.seq)
				return;
			q.seq = d.seq || q.seq;
			self.show(d.status || e.type, d);
		};

		q.es = es;
		STATUSES.forEach(function (s) { es.addEventListener(s, onEvent); });
		es.onmessage = onEvent;
		es.onerror = function () {
			if (q.done)
				return;
			/*
			 * Before the first event, or when the browser gave up
			 * (an error status): long-poll. Otherwise EventSource
			 * reconnects by itself with Last-Event-ID.
			 */
			if (!q.events || es.readyState === EventSource.CLOSED) {
				es.close();
				q.es = null;
				self.longPoll();
			}
		};
	};

	Widget.prototype.longPoll = function () {
		var self = this;
		var q = this.req;

		if (!q || q.done)
			return;
		q.poll = typeof AbortController === 'function' ? new AbortController() : null;
		fetch(this.url('', '&wait=' + POLL_WAIT + '&after=' + q.seq), {
			mode: 'cors', credentials: 'omit', cache: 'no-store',
			headers: {'Accept': 'application/json'},
			signal: q.poll ? q.poll.signal : undefined
		}).then(function (res) {
			return res.json().then(function (b) { return {status: res.status, body: b}; },
				function () { return {status: res.status, body: null}; });
		}).then(function (res) {
			var b = res.body;

			if (q.done)
				return;
			if (res.status === 404) {
				self.lost('This call request is no longer available.');
				return;
			}
			if (res.status !== 200 || !b || !b.status) {
				self.retryPoll();
				return;
			}
			q.failSince = 0;
			q.fails = 0;
			if (typeof b.last_seq === 'number' && b.last_seq > q.seq)
				q.seq = b.last_seq;
			self.show(b.status, b);
			if (!q.done && !q.finishing)
				self.longPoll();
		}, function () {
			if (!q.done)
				self.retryPoll();
		});
	};

	Widget.prototype.retryPoll = function () {
		var self = this;
		var q = this.req;
		var now = Date.now();

		if (!q.failSince)
			q.failSince = now;
		if (now - q.failSince > POLL_GIVE_UP) {
			this.lost('Lost contact with the call service. Your call may still go ahead.');
			return;
		}
		q.fails = (q.fails || 0) + 1;
		q.timer = setTimeout(function () { self.longPoll(); },
			Math.min(15000, 500 * Math.pow(2, Math.min(q.fails, 5))));
	};

	Widget.prototype.lost = function (text) {
		var id = this.req && this.req.id;

		this.stop();
		this.setState('error', text, '', {request: id, error: 'connection'});
		this.after.hidden = false;
	};

	/*
	 * The request ended. Events carry no outcome, so read the resource
	 * once; status and outcome then change together.
	 */
	Widget.prototype.finish = function (status, outcome) {
		var self = this;
		var q = this.req;

		if (q.es) {
			q.es.close();
			q.es = null;
		}
		if (q.finishing)
			return;
		q.finishing = true;
		if (outcome) {
			this.ended(q, status, outcome);
			return;
		}
		fetchJSON(this.url(''), {headers: {'Accept': 'application/json'}}, 10000)
			.then(function (res) {
				var b = res.body;

				self.ended(q, status, res.status === 200 && b && b.outcome);
			}, function () {
				self.ended(q, status, null);
			});
	};

	Widget.prototype.ended = function (q, status, outcome) {
		var code = outcome && outcome.code;
		var text = STATUS_TEXT[status];
		var detail = STATUS_DETAIL[status] || '';

		if (this.req !== q)
			return;         /* closed or restarted meanwhile */
		if (status === 'failed' && code) {
			text = OUTCOME_TEXT[code] || text;
			detail = OUTCOME_DETAIL[code] || '';
		}
		this.stop();
		this.setState(status, text, detail, {request: q.id, outcome: code || null});
	};

	function enhance(node) {
		if (!node.getAttribute('data-pint-token') || node.__pintWidget)
			return;
		node.__pintWidget = new Widget(node);
		widgets.push(node.__pintWidget);
	}

	/* Enhances every [data-pint-token] element in root (default: document). */
	function scan(root) {
		var list;

		root = root || document;
		if (root.nodeType === 1 && root.hasAttribute('data-pint-token'))
			enhance(root);
		if (!root.querySelectorAll)
			return;
		list = root.querySelectorAll('[data-pint-token]');
		Array.prototype.forEach.call(list, enhance);
	}

	/* Undoes the constructor: the button is a plain element again. */
	Widget.prototype.destroy = function () {
		var b = this.button;

		this.stop();
		if (this.root.parentNode)
			this.root.parentNode.removeChild(this.root);
		b.removeEventListener('click', this.onClick);
		if (this.onKey)
			b.removeEventListener('keydown', this.onKey);
		b.classList.remove('pint-trigger');
		b.removeAttribute('aria-expanded');
		b.removeAttribute('aria-controls');
		delete b.__pintWidget;
	};

	/*
	 * Widgets whose button left the page stop following and go; a button
	 * that moved takes its widget along.
	 */
	function sweep() {
		widgets = widgets.filter(function (w) {
			if (!w.button.isConnected) {
				w.destroy();
				return false;
			}
			if (w.button.nextElementSibling !== w.root)
				w.button.insertAdjacentElement('afterend', w.root);
			return true;
		});
	}

	function onMutations(list) {
		var removed = false;

		list.forEach(function (m) {
			if (m.type === 'attributes') {
				enhance(m.target);
				return;
			}
			Array.prototype.forEach.call(m.addedNodes, function (n) {
				if (n.nodeType === 1)
					scan(n);
			});
			if (m.removedNodes.length)
				removed = true;
		});
		if (removed)
			sweep();
	}

	/*
	 * Starts the widget (done by itself when the page is ready). options.api
	 * overrides the API origin, which is otherwise where widget.js came from.
	 */
	function init(options) {
		if (options && options.api)
			apiBase = new URL(options.api, location.href).origin;
		injectStyle();
		scan(document);
		if (!observer && typeof MutationObserver === 'function') {
			observer = new MutationObserver(onMutations);
			observer.observe(document.documentElement, {
				childList: true, subtree: true,
				attributes: true, attributeFilter: ['data-pint-token']
			});
		}
	}

	window.PintWidget = Object.freeze({version: VERSION, init: init, scan: scan});

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', function () { init(); });
	else
		init();
}());
