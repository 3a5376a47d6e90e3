// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `loginbox doctor [--json]`: the runner (doctor.h).  Every group of
 * checks adds its results; they are printed in order, one line each:
 *
 *   OK  NAME[: what was found]
 *   WARN NAME: what is wrong; fix: the command or file edit
 *   ERROR NAME: what is wrong; fix: ...
 *
 * or, with --json, as {"status": ..., "checks": [{"name", "status",
 * "message", "fix"}]} (field names stable, loginbox(8) JSON OUTPUT).
 */
#include "doctor.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "macros.h"

static const char *const status_word[] = {"OK", "WARN", "ERROR"};
static const char *const status_json[] = {"ok", "warn", "error"};

void lb_doc_add(struct lb_doctor *d, enum lb_doc_status st, const char *name,
		const char *fix, const char *fmt, ...)
{
	struct lb_doc_result *r;
	char *msg = NULL;
	va_list ap;

	if (d->n == d->cap) {
		int cap = d->cap ? d->cap * 2 : 64;
		struct lb_doc_result *nr = realloc(d->r, (size_t)cap * sizeof(*nr));

		if (!nr)
			return;
		d->r = nr;
		d->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	r = &d->r[d->n];
	r->status = st;
	r->name = strdup(name);
	r->message = msg ? msg : strdup("");
	r->fix = strdup(fix ? fix : "");
	if (!r->name || !r->message || !r->fix) {
		free(r->name);
		free(r->message);
		free(r->fix);
		return;
	}
	d->n++;
}

int lb_doc_lines(struct lb_doctor *d, const char *name, const char *text,
		 enum lb_doc_status status, const char *ok_msg)
{
	const char *p, *nl;
	int n = 0;

	for (p = text ? text : ""; *p; p = nl ? nl + 1 : p + strlen(p)) {
		enum lb_doc_status st = status;
		cleanup_free char *line = NULL;
		char *fix;
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (!strncmp(p, "warning: ", 9)) {
			p += 9;
			len -= 9;
		} else if (!strncmp(p, "error: ", 7)) {
			p += 7;
			len -= 7;
			st = LB_DOC_ERROR;
		} else {
			continue; /* notes and ok lines */
		}
		line = strndup(p, len);
		if (!line)
			continue;
		/* the last "; fix: " splits what is wrong from the fix */
		for (fix = strstr(line, "; fix: "); fix && strstr(fix + 1, "; fix: ");)
			fix = strstr(fix + 1, "; fix: ");
		if (fix) {
			*fix = '\0';
			fix += 7;
		}
		lb_doc_add(d, st, name, fix, "%s", line);
		n++;
	}
	if (!n)
		lb_doc_add(d, LB_DOC_OK, name, NULL, "%s", ok_msg ? ok_msg : "");
	return n;
}

static bool section_boxes(const struct lb_section *s)
{
	return !(s->set_mask & LB_KEY_BIT(LB_KEY_BOX)) || s->values.boxed;
}

bool lb_doc_anyone_boxed(const struct lb_config *cfg)
{
	const struct lb_section *def = cfg->default_section[0]
		? lb_config_find(cfg, cfg->default_section) : NULL;

	if (def && section_boxes(def))
		return true;
	for (int i = 0; i < cfg->n_sections; i++)
		if (section_boxes(&cfg->sections[i]))
			return true;
	return false;
}

int lb_doc_section_limits(const struct lb_config *cfg,
			  const struct lb_section *s)
{
	return (s->set_mask & LB_KEY_BIT(LB_KEY_LIMITS)) ? (int)s->values.limits
							 : (int)cfg->limits;
}

static void print_text(const struct lb_doctor *d)
{
	int i;

	for (i = 0; i < d->n; i++) {
		const struct lb_doc_result *r = &d->r[i];

		if (r->status == LB_DOC_OK)
			printf("OK  %s%s%s\n", r->name, r->message[0] ? ": " : "",
			       r->message);
		else
			printf("%s %s: %s%s%s\n", status_word[r->status], r->name,
			       r->message, r->fix[0] ? "; fix: " : "", r->fix);
	}
}

static int print_json(const struct lb_doctor *d, enum lb_doc_status worst)
{
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	const char *s;
	int i, rc;

	for (i = 0; i < d->n; i++) {
		json_object *c = json_object_new_object();

		json_object_object_add(c, "name",
				       json_object_new_string(d->r[i].name));
		json_object_object_add(
			c, "status",
			json_object_new_string(status_json[d->r[i].status]));
		json_object_object_add(c, "message",
				       json_object_new_string(d->r[i].message));
		json_object_object_add(c, "fix",
				       json_object_new_string(d->r[i].fix));
		json_object_array_add(a, c);
	}
	json_object_object_add(o, "status",
			       json_object_new_string(status_json[worst]));
	json_object_object_add(o, "checks", a);
	s = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = printf("%s\n", s) < 0 || fflush(stdout) != 0;
	json_object_put(o);
	return rc;
}

int lb_doctor_main(int argc, char **argv)
{
	struct lb_config *cfg;
	struct lb_doctor d = {0};
	enum lb_doc_status worst = LB_DOC_OK;
	struct lb_err err;
	bool json = argc == 2 && !strcmp(argv[1], "--json");
	int i, rc = 0;

	if (argc > 2 || (argc == 2 && !json)) {
		fprintf(stderr, "usage: loginbox doctor [--json]\n");
		return 2;
	}
	if (geteuid() != 0) {
		/* sshd -T, the probes and the store are root's */
		fprintf(stderr, "loginbox: this command must be run as root\n");
		return 2;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return 2;
	lb_err_clear(&err);
	d.cfg = cfg;
	if (lb_config_load(cfg, &err) < 0) {
		char text[1200];

		/* Nothing else can be judged against a config that does not
		 * load: every login would be refused. */
		lb_doc_add(&d, LB_DOC_ERROR, "config", "loginbox check", "%s",
			   lb_err_text(&err, text, sizeof(text)));
	} else {
		lb_doc_add(&d, LB_DOC_OK, "config", NULL,
			   "%d file%s, %d section%s", cfg->n_files,
			   cfg->n_files == 1 ? "" : "s", cfg->n_sections,
			   cfg->n_sections == 1 ? "" : "s");
		lb_doctor_kernel(&d);
		lb_doctor_cgroup(&d);
		lb_doctor_ids(&d);
		lb_doctor_pam(&d);
		lb_doctor_sshd(&d);
		lb_doctor_images(&d);
		lb_doctor_net(&d);
	}
	for (i = 0; i < d.n; i++)
		if (d.r[i].status > worst)
			worst = d.r[i].status;
	if (json)
		rc = print_json(&d, worst);
	else
		print_text(&d);
	for (i = 0; i < d.n; i++) {
		free(d.r[i].name);
		free(d.r[i].message);
		free(d.r[i].fix);
	}
	free(d.r);
	free(cfg);
	if (fflush(stdout) != 0)
		rc = 1;
	return rc ? 2 : (int)worst;
}
