// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CDI specs in YAML (as `nvidia-ctk cdi generate` writes them by
 * default), read with libyaml's event parser into the same json-c tree
 * the JSON reader builds, so one validator (cdi.c) checks both.
 *
 * What a hostile spec could do with YAML that it cannot with JSON, and
 * what we do about it:
 *  - aliases (*a) re-use an anchored node; nested aliases grow a tree
 *    exponentially from a few hundred bytes ("billion laughs").  libyaml
 *    reports them as events and does not expand them; we refuse every
 *    alias, naming the file.  A CDI spec never needs one.
 *  - nesting: bounded by the same depth as the JSON reader.
 *  - tags (!!binary, !custom): refused; CDI fields are plain strings.
 *  - several documents in one file, or duplicate mapping keys (which
 *    value wins differs between readers): refused.
 * Scalars become strings, except an unquoted null, ~ or empty value,
 * which is null (an empty `containerEdits:` is no edits).
 */
#include "cdi.h"

#include <errno.h>
#include <json-c/json.h>
#include <string.h>
#include <yaml.h>

#define YAML_DEPTH 16

struct ystate {
	yaml_parser_t p;
	const char *file;
	struct lb_err *err;
};

static int yfail(struct ystate *y, const yaml_event_t *ev, const char *what)
{
	return lb_fail(y->err, 0, "%s: %s (line %zu)", y->file, what,
		       ev ? ev->start_mark.line + 1
			  : y->p.problem_mark.line + 1);
}

static int next(struct ystate *y, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&y->p, ev))
		return lb_fail(y->err, 0, "%s: not valid YAML (%s, line %zu)",
			       y->file,
			       y->p.problem ? y->p.problem : "parse error",
			       y->p.problem_mark.line + 1);
	return 0;
}

static bool is_null_scalar(const yaml_event_t *ev)
{
	const char *v = (const char *)ev->data.scalar.value;

	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	return !strcmp(v, "") || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

static int node(struct ystate *y, yaml_event_t *ev, int depth,
		json_object **out);

/* The node after `ev` (already read, a start event) up to its end. */
static int collection(struct ystate *y, bool is_map, int depth,
		      json_object **out)
{
	json_object *o =
	    is_map ? json_object_new_object() : json_object_new_array();
	yaml_event_t ev;

	if (!o)
		return lb_fail(y->err, ENOMEM, "%s", y->file);
	for (;;) {
		json_object *v = NULL;
		char *key = NULL;
		int r;

		if (next(y, &ev) < 0)
			goto fail;
		if (ev.type == YAML_MAPPING_END_EVENT ||
		    ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			*out = o;
			return 0;
		}
		if (is_map) {
			if (ev.type != YAML_SCALAR_EVENT) {
				yfail(y, &ev,
				      ev.type == YAML_ALIAS_EVENT
					  ? "YAML aliases are not "
					    "supported"
					  : "a mapping key is not a "
					    "plain string");
				yaml_event_delete(&ev);
				goto fail;
			}
			if (ev.data.scalar.tag) {
				yfail(y, &ev, "YAML tags are not supported");
				yaml_event_delete(&ev);
				goto fail;
			}
			key = strndup((const char *)ev.data.scalar.value,
				      ev.data.scalar.length);
			if (!key || strlen(key) != ev.data.scalar.length) {
				yfail(y, &ev, "a mapping key holds a NUL");
				free(key);
				yaml_event_delete(&ev);
				goto fail;
			}
			if (json_object_object_get_ex(o, key, NULL)) {
				lb_fail(y->err, 0,
					"%s: key \"%.60s\" twice in "
					"one mapping (line %zu)",
					y->file, key, ev.start_mark.line + 1);
				free(key);
				yaml_event_delete(&ev);
				goto fail;
			}
			yaml_event_delete(&ev);
			if (next(y, &ev) < 0) {
				free(key);
				goto fail;
			}
		}
		r = node(y, &ev, depth + 1, &v);
		if (r < 0) {
			free(key);
			goto fail;
		}
		r = is_map ? json_object_object_add(o, key, v)
			   : json_object_array_add(o, v);
		free(key);
		if (r < 0) {
			json_object_put(v);
			lb_fail(y->err, ENOMEM, "%s", y->file);
			goto fail;
		}
	}
fail:
	json_object_put(o);
	return -1;
}

/* Turn the node starting with `ev` into *out; consumes ev. */
static int node(struct ystate *y, yaml_event_t *ev, int depth,
		json_object **out)
{
	const char *tag = NULL;
	int r;

	*out = NULL;
	if (depth > YAML_DEPTH) {
		yfail(y, ev, "nested too deep");
		yaml_event_delete(ev);
		return -1;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		yfail(y, ev, "YAML aliases are not supported");
		yaml_event_delete(ev);
		return -1;
	case YAML_SCALAR_EVENT:
		tag = (const char *)ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		tag = (const char *)ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		tag = (const char *)ev->data.mapping_start.tag;
		break;
	default:
		yfail(y, ev, "unexpected YAML event");
		yaml_event_delete(ev);
		return -1;
	}
	if (tag) {
		yfail(y, ev, "YAML tags are not supported");
		yaml_event_delete(ev);
		return -1;
	}
	if (ev->type == YAML_SCALAR_EVENT) {
		if (strlen((const char *)ev->data.scalar.value) !=
		    ev->data.scalar.length) {
			yfail(y, ev, "a string holds a NUL");
			yaml_event_delete(ev);
			return -1;
		}
		if (!is_null_scalar(ev)) {
			*out = json_object_new_string_len(
			    (const char *)ev->data.scalar.value,
			    (int)ev->data.scalar.length);
			if (!*out) {
				yaml_event_delete(ev);
				return lb_fail(y->err, ENOMEM, "%s", y->file);
			}
		}
		yaml_event_delete(ev);
		return 0;
	}
	r = ev->type == YAML_MAPPING_START_EVENT;
	yaml_event_delete(ev);
	return collection(y, r, depth, out);
}

/* Expect an event of `type` and drop it. */
static int expect(struct ystate *y, yaml_event_type_t type, const char *what)
{
	yaml_event_t ev;
	bool good;

	if (next(y, &ev) < 0)
		return -1;
	good = ev.type == type;
	if (!good)
		yfail(y, &ev, what);
	yaml_event_delete(&ev);
	return good ? 0 : -1;
}

struct json_object *lb_cdi_yaml_parse(const char *text, size_t len,
				      const char *file, struct lb_err *err)
{
	struct ystate y = {.file = file, .err = err};
	json_object *root = NULL;
	yaml_event_t ev;

	if (!yaml_parser_initialize(&y.p)) {
		lb_fail(err, ENOMEM, "yaml parser");
		return NULL;
	}
	yaml_parser_set_input_string(&y.p, (const unsigned char *)text, len);
	if (expect(&y, YAML_STREAM_START_EVENT, "not a YAML stream") < 0 ||
	    expect(&y, YAML_DOCUMENT_START_EVENT, "empty YAML file") < 0 ||
	    next(&y, &ev) < 0)
		goto fail;
	if (node(&y, &ev, 1, &root) < 0)
		goto fail;
	if (expect(&y, YAML_DOCUMENT_END_EVENT, "broken YAML document") < 0 ||
	    expect(&y, YAML_STREAM_END_EVENT, "more than one YAML document") <
		0)
		goto fail;
	yaml_parser_delete(&y.p);
	if (!root) {
		lb_fail(err, 0, "%s: not a CDI spec (empty)", file);
		return NULL;
	}
	return root;
fail:
	json_object_put(root);
	yaml_parser_delete(&y.p);
	return NULL;
}
