/* stas-dc.c — StasDc: the post-connect chain of a discovery controller, AEN coalescing and
 * the DLP cache (spec/behaviour.md §5). */
#include "config.h"

#include "stas-dc.h"

#include <errno.h>

#include "stas-dlp.h"
#include "stas-log.h"

typedef enum
{
  STEP_NONE,   /* not connected (or disposing) */
  STEP_REGSUP, /* dctype unknown: is DIM supported? */
  STEP_DIM,
  STEP_SUPPORTED,
  STEP_DLP,
  STEP_READY,
} Step;

struct _StasDc
{
  StasController parent_instance;

  gboolean pleo;
  StasDcOrigin origin;
  guint referral_depth;

  GArray *log_pages; /* (owned) of StasDlpe */
  /* Renderings of @log_pages, built on first use and dropped when it changes: replies to
   * any number of D-Bus calls cost nothing more than the first one. */
  GVariant *log_pages_variant; /* (owned) (nullable) aa{ss} */
  char *log_pages_json;        /* (owned) (nullable) */
  StasDlpState log_pages_state;
  guint log_pages_dropped;

  Step step;                  /* the step in flight, waiting for its retry, or READY */
  guint token;                /* operation slot token of the step in flight, 0 when none */
  guint retry_id;             /* retry of `step` */
  gboolean dlp_requested;     /* requested while DIM/PLEO runs: the chain's retrieval serves */
  gboolean dlp_again;         /* requested during a retrieval: exactly one more [DC-7] */
  gboolean restart_requested; /* restart once the step in flight completed [DC-7] */
  gboolean registered;        /* DIM registration succeeded on this connection */
  gboolean connect_echo;      /* the kernel's NVME_EVENT=connected for our own (re)connect */
  guint8 lsp;
  gboolean dim_failing; /* ERROR only for the first failure of a streak [DC-1] */
  gboolean supported_failing;
  gboolean dlp_failing;
  StasOpStatus op_dim;
  StasOpStatus op_supported;
  StasOpStatus op_dlp;
};

G_DEFINE_FINAL_TYPE (StasDc, stas_dc, STAS_TYPE_CONTROLLER)

enum
{
  PROP_0,
  PROP_ORIGIN,
  PROP_REFERRAL_DEPTH,
  PROP_PLEO,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIGNAL_LOG_PAGES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void run_step (StasDc *self);
static void chain_start (StasDc *self);

#define CTL(self) STAS_CONTROLLER (self)

/* ---- helpers --------------------------------------------------------------------------- */

const char *
stas_dc_origin_to_string (StasDcOrigin origin)
{
  switch (origin)
    {
    case STAS_DC_ORIGIN_CONFIGURED:
      return "configured";
    case STAS_DC_ORIGIN_REFERRAL:
      return "referral";
    case STAS_DC_ORIGIN_DISCOVERED:
      return "discovered";
    }
  return "configured";
}

const char *
stas_dlp_state_to_string (StasDlpState state)
{
  switch (state)
    {
    case STAS_DLP_STATE_NONE:
      return "none";
    case STAS_DLP_STATE_CACHED:
      return "cached";
    case STAS_DLP_STATE_CURRENT:
      return "current";
    }
  return "none";
}

static const char *
tid_str (StasDc *self)
{
  return stas_controller_get_tid_string (CTL (self));
}

static const char *
dev_str (StasDc *self)
{
  return stas_controller_get_device_or_unknown (CTL (self));
}

/* The device's dctype: "ddc", "cdc", "none", or "" when the kernel does not tell. */
static const char *
dctype (StasDc *self)
{
  const StasKernelCtrl *entry = stas_controller_get_kernel_entry (CTL (self));

  if (entry == NULL)
    entry = stas_controller_get_identity (CTL (self));
  return entry != NULL && entry->dctype != NULL ? entry->dctype : "";
}

static gboolean
is_tcp (StasDc *self)
{
  return g_strcmp0 (stas_tid_get_transport (stas_controller_get_tid (CTL (self))), "tcp") == 0;
}

static StasOpStatus *
step_status (StasDc *self, Step step)
{
  switch (step)
    {
    case STEP_REGSUP:
    case STEP_DIM:
      return &self->op_dim;
    case STEP_SUPPORTED:
      return &self->op_supported;
    case STEP_DLP:
      return &self->op_dlp;
    case STEP_NONE:
    case STEP_READY:
      break;
    }
  return NULL;
}

static void
stop_retry (StasDc *self)
{
  StasOpStatus *op = step_status (self, self->step);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (op != NULL)
    op->retry_deadline_us = 0;
}

static void
reset_chain (StasDc *self)
{
  stop_retry (self);
  self->step = STEP_NONE;
  self->token = 0; /* a result still to come is stale */
  self->dlp_requested = FALSE;
  self->dlp_again = FALSE;
  self->restart_requested = FALSE;
}

static void
reset_connection (StasDc *self)
{
  reset_chain (self);
  self->registered = FALSE;
  self->lsp = 0;
  self->dim_failing = FALSE;
  self->supported_failing = FALSE;
  self->dlp_failing = FALSE;
  stas_op_status_clear (&self->op_dim);
  stas_op_status_clear (&self->op_supported);
  stas_op_status_clear (&self->op_dlp);
}

/* The step after DIM [DC-4]: PLEO when enabled and the DC is not a CDC. */
static Step
step_after_dim (StasDc *self)
{
  if (self->pleo && g_strcmp0 (dctype (self), "cdc") != 0)
    return STEP_SUPPORTED;
  self->lsp = 0;
  return STEP_DLP;
}

/* The first applicable step [DC-1] [DC-3]. */
static Step
first_step (StasDc *self)
{
  const char *type = dctype (self);

  if (!is_tcp (self))
    {
      stas_debug ("%s | %s - DIM registration skipped: tcp only", tid_str (self), dev_str (self));
      return step_after_dim (self);
    }
  if (g_strcmp0 (type, "ddc") == 0 || g_strcmp0 (type, "cdc") == 0)
    return STEP_DIM;
  if (type[0] == '\0')
    return STEP_REGSUP;
  stas_debug ("%s | %s - DIM registration not supported (dctype %s)", tid_str (self),
              dev_str (self), type);
  return step_after_dim (self);
}

static gboolean
on_step_retry (gpointer user_data)
{
  StasDc *self = user_data;
  StasOpStatus *op = step_status (self, self->step);

  self->retry_id = 0;
  if (op != NULL)
    op->retry_deadline_us = 0;
  run_step (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (StasDc *self, Step step, double interval)
{
  double scaled = interval * stas_controller_get_time_scale ();
  guint ms = MAX (1, (guint) (scaled * 1000.0));

  stop_retry (self);
  self->step = step;
  stas_op_status_retry (step_status (self, step), interval, (double) ms / 1000.0);
  self->retry_id = g_timeout_add (ms, on_step_retry, self);
  stas_debug ("%s | %s - retry in %g s", tid_str (self), dev_str (self), interval);
}

/* ---- step results --------------------------------------------------------------------- */

typedef struct
{
  StasDc *self; /* (owned) */
  guint token;
} StepCall;

static StepCall *
step_call_new (StasDc *self, guint token)
{
  StepCall *call = g_new0 (StepCall, 1);

  call->self = g_object_ref (self);
  call->token = token;
  return call;
}

static void
step_call_free (StepCall *call)
{
  g_object_unref (call->self);
  g_free (call);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StepCall, step_call_free)

/* Frees the slot; TRUE when the result belongs to the chain that is running [ARCH-8]. */
static gboolean
step_end (StepCall *call)
{
  StasDc *self = call->self;
  gboolean current = stas_controller_end_op (CTL (self), call->token);

  if (!current || call->token != self->token)
    return FALSE;
  self->token = 0;
  return TRUE;
}

/* A restart requested while the step ran takes precedence over the chain's course. */
static gboolean
take_restart (StasDc *self)
{
  if (!self->restart_requested)
    return FALSE;
  stas_debug ("%s | %s - chain restart", tid_str (self), dev_str (self));
  chain_start (self);
  return TRUE;
}

static void
goto_step (StasDc *self, Step step)
{
  self->step = step;
  run_step (self);
}

static void
on_registration_supported_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StepCall) call = user_data;
  StasDc *self = call->self;
  g_autoptr (GError) error = NULL;
  gboolean supported =
      stas_fabrics_registration_supported_finish (STAS_FABRICS (source), result, &error);

  if (!step_end (call) || take_restart (self))
    return;
  if (error != NULL)
    {
      stas_op_status_failed (&self->op_dim, error->message);
      if (!self->dim_failing)
        stas_error ("%s | %s - Failed to register with Discovery Controller. %s", tid_str (self),
                    dev_str (self), error->message);
      else
        stas_debug ("%s | %s - Failed to register with Discovery Controller. %s", tid_str (self),
                    dev_str (self), error->message);
      self->dim_failing = TRUE;
      schedule_retry (self, STEP_REGSUP, STAS_REGISTRATION_RETRY_S);
      return;
    }
  if (supported)
    goto_step (self, STEP_DIM);
  else
    {
      stas_debug ("%s | %s - DIM registration not supported", tid_str (self), dev_str (self));
      goto_step (self, step_after_dim (self));
    }
}

static void
on_dim_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StepCall) call = user_data;
  StasDc *self = call->self;
  g_autoptr (GError) error = NULL;
  gboolean ok = stas_fabrics_dim_finish (STAS_FABRICS (source), result, &error);

  if (!step_end (call))
    return;
  if (ok)
    {
      self->registered = TRUE;
      self->dim_failing = FALSE;
      stas_op_status_succeeded (&self->op_dim);
      stas_debug ("%s | %s - Registration with Discovery Controller done", tid_str (self),
                  dev_str (self));
    }
  else if (g_error_matches (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS) ||
           g_error_matches (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NOT_APPLICABLE))
    {
      /* rejected: continue without retry [DC-3] */
      self->dim_failing = FALSE;
      stas_op_status_failed (&self->op_dim, error->message);
      stas_warning ("%s | %s - Registration error. %s.", tid_str (self), dev_str (self),
                    error->message);
    }
  else
    {
      stas_op_status_failed (&self->op_dim, error->message);
      if (take_restart (self))
        return;
      if (!self->dim_failing)
        stas_error ("%s | %s - Failed to register with Discovery Controller. %s", tid_str (self),
                    dev_str (self), error->message);
      else
        stas_debug ("%s | %s - Failed to register with Discovery Controller. %s", tid_str (self),
                    dev_str (self), error->message);
      self->dim_failing = TRUE;
      schedule_retry (self, STEP_DIM, STAS_REGISTRATION_RETRY_S);
      return;
    }
  if (!take_restart (self))
    goto_step (self, step_after_dim (self));
}

static void
on_supported_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StepCall) call = user_data;
  StasDc *self = call->self;
  g_autoptr (GError) error = NULL;
  guint32 options = 0;
  gboolean ok =
      stas_fabrics_supported_log_pages_finish (STAS_FABRICS (source), result, &options, &error);

  if (!step_end (call))
    return;
  if (ok)
    {
      self->supported_failing = FALSE;
      stas_op_status_succeeded (&self->op_supported);
      stas_debug ("%s | %s - supported options = 0x%04x = [%s%s%s]", tid_str (self), dev_str (self),
                  options & 0xffff, (options & 0x1) ? "EXTDLPES " : "",
                  (options & STAS_LOG_PAGE_OPTION_PLEOS) ? "PLEOS " : "",
                  (options & 0x4) ? "ALLSUBES" : "");
      self->lsp = (options & STAS_LOG_PAGE_OPTION_PLEOS) ? STAS_DLP_LSP_PLEO : 0;
    }
  else if (g_error_matches (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_NVME_STATUS))
    {
      /* pre-TP8010 DCs reject LID 0: no PLEO [DC-4] */
      self->supported_failing = FALSE;
      stas_op_status_failed (&self->op_supported, error->message);
      stas_debug ("%s | %s - Supported Log Pages rejected (%s): PLEO not used", tid_str (self),
                  dev_str (self), error->message);
      self->lsp = 0;
    }
  else
    {
      stas_op_status_failed (&self->op_supported, error->message);
      if (take_restart (self))
        return;
      if (!self->supported_failing)
        stas_error ("%s | %s - Failed to Get supported log pages from Discovery Controller. %s",
                    tid_str (self), dev_str (self), error->message);
      else
        stas_debug ("%s | %s - Failed to Get supported log pages from Discovery Controller. %s",
                    tid_str (self), dev_str (self), error->message);
      self->supported_failing = TRUE;
      schedule_retry (self, STEP_SUPPORTED, STAS_GET_SUPPORTED_RETRY_S);
      return;
    }
  if (!take_restart (self))
    goto_step (self, STEP_DLP);
}

static void
drop_renderings (StasDc *self)
{
  g_clear_pointer (&self->log_pages_variant, g_variant_unref);
  g_clear_pointer (&self->log_pages_json, g_free);
}

/* [DC-5] */
static void
store_log_pages (StasDc *self, const StasDlpRaw *raw)
{
  g_autoptr (GPtrArray) diags = stas_diags_new ();
  guint dropped = 0;
  GArray *entries = stas_dlp_parse_page (raw, tid_str (self), dev_str (self), &dropped, diags);

  /* network-input diagnostics are rate-limited (bad-input.md): the same drops in a re-read
   * of the page are not warned about again */
  if (dropped > 0 && self->log_pages_state != STAS_DLP_STATE_NONE &&
      dropped == self->log_pages_dropped)
    for (guint i = 0; i < diags->len; i++)
      ((StasDiag *) g_ptr_array_index (diags, i))->level = STAS_LOG_DEBUG;
  stas_log_diags (diags);
  g_clear_pointer (&self->log_pages, g_array_unref);
  self->log_pages = entries;
  drop_renderings (self);
  self->log_pages_state = STAS_DLP_STATE_CURRENT;
  self->log_pages_dropped = dropped;
  stas_info ("%s | %s - Received discovery log pages (num records=%u).", tid_str (self),
             dev_str (self), entries->len);
  g_signal_emit (self, signals[SIGNAL_LOG_PAGES_CHANGED], 0);
}

static void
on_dlp_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StepCall) call = user_data;
  StasDc *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (StasDlpRaw) raw =
      stas_fabrics_get_discovery_log_finish (STAS_FABRICS (source), result, &error);

  if (!step_end (call))
    return;
  if (raw != NULL)
    {
      self->dlp_failing = FALSE;
      self->connect_echo = FALSE; /* the first chain run is complete */
      stas_op_status_succeeded (&self->op_dlp);
      self->step = STEP_READY;
      g_object_ref (self); /* a handler may drop its reference */
      store_log_pages (self, raw);
      if (self->step == STEP_READY && self->token == 0 && !take_restart (self) &&
          (self->dlp_again || self->dlp_requested))
        goto_step (self, STEP_DLP);
      g_object_unref (self);
      return;
    }

  stas_op_status_failed (&self->op_dlp, error->message);
  if (!self->dlp_failing)
    {
      if (g_error_matches (error, STAS_FABRICS_ERROR, STAS_FABRICS_ERROR_TOO_LARGE))
        stas_error ("%s | %s - %s", tid_str (self), dev_str (self), error->message);
      else
        stas_error ("%s | %s - Failed to retrieve log pages. %s", tid_str (self), dev_str (self),
                    error->message);
    }
  else
    stas_debug ("%s | %s - Failed to retrieve log pages. %s", tid_str (self), dev_str (self),
                error->message);
  self->dlp_failing = TRUE;
  if (take_restart (self))
    return;
  if (self->dlp_again || self->dlp_requested)
    goto_step (self, STEP_DLP); /* replaces the 20 s retry [DC-7] */
  else
    schedule_retry (self, STEP_DLP, STAS_GET_LOG_PAGE_RETRY_S);
}

/* ---- running the chain ------------------------------------------------------------------ */

static void
run_step (StasDc *self)
{
  StasController *ctl = CTL (self);
  StasFabrics *fabrics = stas_controller_get_fabrics (ctl);
  GCancellable *cancellable = NULL;
  guint token;

  stop_retry (self);
  token = stas_controller_begin_op (ctl, &cancellable);
  if (token == 0)
    {
      stas_debug ("%s | %s - chain step not started (busy or not connected)", tid_str (self),
                  dev_str (self));
      return;
    }
  self->token = token;
  switch (self->step)
    {
    case STEP_REGSUP:
      stas_op_status_started (&self->op_dim);
      stas_fabrics_registration_supported_async (fabrics, stas_controller_get_fabrics_ctrl (ctl),
                                                 cancellable, on_registration_supported_done,
                                                 step_call_new (self, token));
      break;
    case STEP_DIM:
      stas_op_status_started (&self->op_dim);
      stas_fabrics_dim_async (fabrics, stas_controller_get_fabrics_ctrl (ctl), STAS_DIM_REGISTER,
                              cancellable, on_dim_done, step_call_new (self, token));
      break;
    case STEP_SUPPORTED:
      stas_op_status_started (&self->op_supported);
      stas_fabrics_supported_log_pages_async (fabrics, stas_controller_get_fabrics_ctrl (ctl),
                                              cancellable, on_supported_done,
                                              step_call_new (self, token));
      break;
    case STEP_DLP:
      /* this retrieval serves every request made so far [DC-7] */
      self->dlp_requested = FALSE;
      self->dlp_again = FALSE;
      stas_op_status_started (&self->op_dlp);
      stas_fabrics_get_discovery_log_async (fabrics, stas_controller_get_fabrics_ctrl (ctl),
                                            self->lsp, cancellable, on_dlp_done,
                                            step_call_new (self, token));
      break;
    case STEP_NONE:
    case STEP_READY:
      stas_controller_end_op (ctl, token);
      self->token = 0;
      break;
    }
}

static void
chain_start (StasDc *self)
{
  reset_chain (self);
  self->lsp = 0;
  self->step = first_step (self);
  run_step (self);
}

/* ---- triggers ------------------------------------------------------------------------ */

void
stas_dc_request_dlp (StasDc *self)
{
  g_return_if_fail (STAS_IS_DC (self));

  /* not connected: the chain after the (re)connect ends with a retrieval */
  if (stas_controller_get_state (CTL (self)) != STAS_CONTROLLER_CONNECTED ||
      self->step == STEP_NONE || self->restart_requested)
    return;
  if (self->token != 0)
    {
      if (self->step == STEP_DLP)
        self->dlp_again = TRUE; /* exactly one more after this one */
      else
        self->dlp_requested = TRUE; /* the chain's retrieval serves it */
      return;
    }
  if (self->retry_id != 0 && self->step != STEP_DLP)
    {
      self->dlp_requested = TRUE; /* the chain waits in DIM/PLEO */
      return;
    }
  goto_step (self, STEP_DLP); /* READY, or a DLP retry pending: retrieve now */
}

void
stas_dc_restart_chain (StasDc *self)
{
  g_return_if_fail (STAS_IS_DC (self));

  if (stas_controller_get_state (CTL (self)) != STAS_CONTROLLER_CONNECTED ||
      self->step == STEP_NONE)
    return;
  if (self->token != 0)
    {
      self->restart_requested = TRUE; /* once, after the step in flight */
      return;
    }
  chain_start (self);
}

/* ---- StasController vfuncs -------------------------------------------------------------- */

static void
stas_dc_connected (StasController *ctl)
{
  StasDc *self = STAS_DC (ctl);

  reset_connection (self);
  /* the chain that starts now answers the kernel's "connected" event of this connection,
   * whether it reaches us before or after the connect's result */
  self->connect_echo = TRUE;
  chain_start (self);
}

static void
stas_dc_device_lost (StasController *ctl)
{
  StasDc *self = STAS_DC (ctl);

  reset_connection (self);
  if (self->log_pages_state == STAS_DLP_STATE_CURRENT)
    self->log_pages_state = STAS_DLP_STATE_CACHED; /* stacd keeps its IOCs */
}

static void
stas_dc_disposing (StasController *ctl)
{
  reset_chain (STAS_DC (ctl)); /* `registered` is kept for the deregistration */
}

/* [DC-2] */
static void
stas_dc_device_changed (StasController *ctl, const StasUevent *event)
{
  StasDc *self = STAS_DC (ctl);

  if (event->nvme_aen != NULL)
    {
      const char *text = event->nvme_aen;
      char *end = NULL;
      guint64 aen;

      errno = 0;
      aen = g_ascii_strtoull (text, &end, 16);
      if (text[0] == '\0' || end == NULL || *end != '\0' || errno != 0 || aen > G_MAXUINT32 ||
          !g_ascii_isxdigit (text[0]))
        stas_debug ("Ignoring malformed NVME_AEN \"%s\"", text);
      else
        {
          stas_info ("%s | %s - Received AEN: 0x%06" G_GINT64_MODIFIER "x", tid_str (self),
                     dev_str (self), aen);
          if (aen == STAS_DLP_CHANGED_AEN)
            stas_dc_request_dlp (self);
        }
    }
  if (g_strcmp0 (event->nvme_event, "connected") == 0 && self->connect_echo &&
      self->step != STEP_READY)
    {
      self->connect_echo = FALSE;
      stas_debug ("%s | %s - NVME_EVENT=connected of this connection: the chain runs already",
                  tid_str (self), dev_str (self));
    }
  else if (g_strcmp0 (event->nvme_event, "connected") == 0 ||
           g_strcmp0 (event->nvme_event, "rediscover") == 0)
    {
      stas_debug ("%s | %s - Received NVME_EVENT=%s", tid_str (self), dev_str (self),
                  event->nvme_event);
      stas_dc_restart_chain (self);
    }
}

static void
on_deregister_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  StasDc *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  if (stas_fabrics_dim_finish (STAS_FABRICS (source), result, &error))
    stas_debug ("%s | %s - Deregistered", tid_str (self), dev_str (self));
  else
    stas_warning ("%s | %s - Deregistration error. %s.", tid_str (self), dev_str (self),
                  error->message);
  self->registered = FALSE;
  g_task_return_boolean (task, TRUE);
}

/* [CONN-5] step 3 [D-45]: deregister only when registered in this connection */
static void
stas_dc_pre_disconnect_async (StasController *ctl,
                              GCancellable *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer user_data)
{
  StasDc *self = STAS_DC (ctl);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  if (!self->registered || stas_controller_get_fabrics_ctrl (ctl) == NULL)
    {
      g_task_return_boolean (task, TRUE); /* created in this iteration: completes later */
      g_object_unref (task);
      return;
    }
  stas_fabrics_dim_async (stas_controller_get_fabrics (ctl), stas_controller_get_fabrics_ctrl (ctl),
                          STAS_DIM_DEREGISTER, cancellable, on_deregister_done, task);
}

static void
stas_dc_pre_disconnect_finish (StasController *ctl, GAsyncResult *result)
{
  g_task_propagate_boolean (G_TASK (result), NULL);
}

/* ---- owner fields and the cache ------------------------------------------------------------ */

void
stas_dc_set_origin (StasDc *self, StasDcOrigin origin)
{
  g_return_if_fail (STAS_IS_DC (self));
  if (self->origin == origin)
    return;
  self->origin = origin;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ORIGIN]);
}

StasDcOrigin
stas_dc_get_origin (StasDc *self)
{
  return self->origin;
}

void
stas_dc_set_referral_depth (StasDc *self, guint depth)
{
  g_return_if_fail (STAS_IS_DC (self));
  if (self->referral_depth == depth)
    return;
  self->referral_depth = depth;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REFERRAL_DEPTH]);
}

guint
stas_dc_get_referral_depth (StasDc *self)
{
  return self->referral_depth;
}

void
stas_dc_set_pleo (StasDc *self, gboolean pleo)
{
  g_return_if_fail (STAS_IS_DC (self));
  pleo = !!pleo;
  if (self->pleo == pleo)
    return;
  self->pleo = pleo;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PLEO]);
}

gboolean
stas_dc_get_pleo (StasDc *self)
{
  return self->pleo;
}

const GArray *
stas_dc_get_log_pages (StasDc *self)
{
  return self->log_pages;
}

GVariant *
stas_dc_get_log_pages_variant (StasDc *self)
{
  if (self->log_pages_variant == NULL)
    self->log_pages_variant = g_variant_ref_sink (stas_dlp_to_variant (self->log_pages));
  return self->log_pages_variant;
}

const char *
stas_dc_get_log_pages_json (StasDc *self)
{
  if (self->log_pages_json == NULL)
    {
      GString *out = g_string_sized_new (256 * (self->log_pages->len + 1));
      stas_dlp_append_json (out, self->log_pages);
      self->log_pages_json = g_string_free (out, FALSE);
    }
  return self->log_pages_json;
}

StasDlpState
stas_dc_get_log_pages_state (StasDc *self)
{
  return self->log_pages_state;
}

guint
stas_dc_get_log_pages_dropped (StasDc *self)
{
  return self->log_pages_dropped;
}

void
stas_dc_set_cached_log_pages (StasDc *self, const GArray *entries, guint dropped)
{
  g_return_if_fail (STAS_IS_DC (self));
  g_array_set_size (self->log_pages, 0);
  if (entries != NULL && entries->len > 0)
    g_array_append_vals (self->log_pages, entries->data, entries->len);
  drop_renderings (self);
  self->log_pages_state = STAS_DLP_STATE_CACHED;
  self->log_pages_dropped = dropped;
}

gboolean
stas_dc_is_registered (StasDc *self)
{
  return self->registered;
}

guint8
stas_dc_get_lsp (StasDc *self)
{
  return self->lsp;
}

static char *
dup_op_string (const StasOpStatus *op)
{
  return op->completed < 0 ? NULL : stas_op_status_to_string (op);
}

char *
stas_dc_dup_get_log_page_operation_string (StasDc *self)
{
  return dup_op_string (&self->op_dlp);
}

char *
stas_dc_dup_register_operation_string (StasDc *self)
{
  return dup_op_string (&self->op_dim);
}

char *
stas_dc_dup_supported_log_pages_operation_string (StasDc *self)
{
  return dup_op_string (&self->op_supported);
}

/* ---- GObject ---------------------------------------------------------------------------- */

StasDc *
stas_dc_new (StasFabrics *fabrics,
             StasKernel *kernel,
             const StasConnectRequest *request,
             gboolean pleo)
{
  g_return_val_if_fail (request != NULL && request->discovery, NULL);
  return g_object_new (STAS_TYPE_DC, "fabrics", fabrics, "kernel", kernel, "request", request,
                       "pleo", pleo, NULL);
}

static void
stas_dc_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  StasDc *self = STAS_DC (object);

  switch (prop_id)
    {
    case PROP_ORIGIN:
      stas_dc_set_origin (self, g_value_get_int (value));
      break;
    case PROP_REFERRAL_DEPTH:
      stas_dc_set_referral_depth (self, g_value_get_uint (value));
      break;
    case PROP_PLEO:
      stas_dc_set_pleo (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stas_dc_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StasDc *self = STAS_DC (object);

  switch (prop_id)
    {
    case PROP_ORIGIN:
      g_value_set_int (value, self->origin);
      break;
    case PROP_REFERRAL_DEPTH:
      g_value_set_uint (value, self->referral_depth);
      break;
    case PROP_PLEO:
      g_value_set_boolean (value, self->pleo);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stas_dc_dispose (GObject *object)
{
  StasDc *self = STAS_DC (object);

  stop_retry (self);
  G_OBJECT_CLASS (stas_dc_parent_class)->dispose (object);
}

static void
stas_dc_finalize (GObject *object)
{
  StasDc *self = STAS_DC (object);

  g_clear_pointer (&self->log_pages, g_array_unref);
  drop_renderings (self);
  stas_op_status_clear (&self->op_dim);
  stas_op_status_clear (&self->op_supported);
  stas_op_status_clear (&self->op_dlp);
  G_OBJECT_CLASS (stas_dc_parent_class)->finalize (object);
}

static void
stas_dc_class_init (StasDcClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  StasControllerClass *ctl_class = STAS_CONTROLLER_CLASS (klass);

  object_class->set_property = stas_dc_set_property;
  object_class->get_property = stas_dc_get_property;
  object_class->dispose = stas_dc_dispose;
  object_class->finalize = stas_dc_finalize;

  ctl_class->connected = stas_dc_connected;
  ctl_class->device_lost = stas_dc_device_lost;
  ctl_class->disposing = stas_dc_disposing;
  ctl_class->device_changed = stas_dc_device_changed;
  ctl_class->pre_disconnect_async = stas_dc_pre_disconnect_async;
  ctl_class->pre_disconnect_finish = stas_dc_pre_disconnect_finish;

  props[PROP_ORIGIN] =
      g_param_spec_int ("origin", NULL, NULL, STAS_DC_ORIGIN_CONFIGURED, STAS_DC_ORIGIN_DISCOVERED,
                        STAS_DC_ORIGIN_CONFIGURED,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_REFERRAL_DEPTH] =
      g_param_spec_uint ("referral-depth", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  props[PROP_PLEO] =
      g_param_spec_boolean ("pleo", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  signals[SIGNAL_LOG_PAGES_CHANGED] =
      g_signal_new ("log-pages-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 0);
}

static void
stas_dc_init (StasDc *self)
{
  self->pleo = TRUE;
  self->log_pages = g_array_new (FALSE, TRUE, sizeof (StasDlpe));
  stas_op_status_init (&self->op_dim);
  stas_op_status_init (&self->op_supported);
  stas_op_status_init (&self->op_dlp);
}
