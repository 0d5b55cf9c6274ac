/* test-kernel-events.c — StasKernel's event routing (spec/behaviour.md §2.5, [NFR-3]): an
 * owned device's events reach its owner's function only, once each, before the daemon-wide
 * "device-event" signal; a remove ends the claim; unowned devices reach the signal only. */
#include "config.h"

#include "fake-fabrics.h"
#include "stas-kernel.h"

typedef struct
{
  guint calls;
  StasUeventAction last_action;
  char *last_name;
  gboolean entry_seen;
  guint signal_calls; /* "device-event" emissions seen when this owner was called */
} Owner;

static guint n_signals;

static void
owner_func (gpointer owner, const StasUevent *event, const StasKernelCtrl *entry)
{
  Owner *o = owner;

  o->calls++;
  o->last_action = event->action;
  g_free (o->last_name);
  o->last_name = g_strdup (event->name);
  o->entry_seen = entry != NULL;
  o->signal_calls = n_signals;
}

static void
on_device_event (StasKernel *kernel,
                 const StasUevent *event,
                 const StasKernelCtrl *entry,
                 gpointer owner,
                 gpointer data)
{
  n_signals++;
}

static void
flush (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static const char *
add_device (StasFakeFabrics *fake, const char *traddr)
{
  StasKernelCtrl fields = { .transport = (char *) "tcp",
                            .traddr = (char *) traddr,
                            .trsvcid = (char *) "4420",
                            .subsysnqn = (char *) "nqn.2023-01.com.example:a" };
  const char *name = stas_fake_fabrics_add_device (fake, &fields);

  g_assert_nonnull (name);
  return name;
}

static void
test_routing (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasFakeFabrics) fake = stas_fake_fabrics_new ();
  g_autoptr (StasKernel) kernel = stas_kernel_new (STAS_FABRICS (fake));
  Owner a = { 0 }, b = { 0 };
  g_autofree char *dev_a = NULL;
  g_autofree char *dev_b = NULL;
  g_autofree char *dev_c = NULL;

  n_signals = 0;
  g_assert_true (stas_kernel_start (kernel, &error));
  g_assert_no_error (error);
  g_signal_connect (kernel, "device-event", G_CALLBACK (on_device_event), NULL);
  dev_a = g_strdup (add_device (fake, "192.168.1.20"));
  dev_b = g_strdup (add_device (fake, "192.168.1.21"));
  dev_c = g_strdup (add_device (fake, "192.168.1.22"));
  flush ();
  g_assert_cmpuint (n_signals, ==, 3); /* the adds: nobody owns them yet */

  stas_kernel_claim_full (kernel, dev_a, &a, owner_func);
  stas_kernel_claim_full (kernel, dev_b, &b, owner_func);
  g_assert_true (stas_kernel_get_owner (kernel, dev_a) == &a);

  /* an event of A: A's function once, B's never; then the signal */
  stas_fake_fabrics_emit_aen (fake, dev_a, 0x70f002);
  flush ();
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_cmpuint (b.calls, ==, 0);
  g_assert_cmpint (a.last_action, ==, STAS_UEVENT_CHANGE);
  g_assert_cmpstr (a.last_name, ==, dev_a);
  g_assert_true (a.entry_seen);
  g_assert_cmpuint (a.signal_calls, ==, 3); /* called before the signal of its own event */
  g_assert_cmpuint (n_signals, ==, 4);

  /* an unowned device's event: no owner function at all */
  stas_fake_fabrics_emit_aen (fake, dev_c, 0x70f002);
  flush ();
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_cmpuint (b.calls, ==, 0);
  g_assert_cmpuint (n_signals, ==, 5);

  /* a remove reaches the owner and ends the claim */
  g_assert_true (stas_fake_fabrics_remove_device (fake, dev_b));
  flush ();
  g_assert_cmpuint (b.calls, ==, 1);
  g_assert_cmpint (b.last_action, ==, STAS_UEVENT_REMOVE);
  g_assert_false (b.entry_seen);
  g_assert_null (stas_kernel_get_owner (kernel, dev_b));
  g_assert_cmpuint (a.calls, ==, 1);

  /* a release ends the routing: A's later events reach the signal only */
  stas_kernel_release (kernel, dev_a, &a);
  stas_fake_fabrics_emit_aen (fake, dev_a, 0x70f002);
  flush ();
  g_assert_cmpuint (a.calls, ==, 1);
  g_assert_cmpuint (n_signals, ==, 7);

  stas_kernel_stop (kernel);
  g_free (a.last_name);
  g_free (b.last_name);
}

/* stas_kernel_claim() (no function) keeps the owner for matching but routes nothing */
static void
test_claim_without_func (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (StasFakeFabrics) fake = stas_fake_fabrics_new ();
  g_autoptr (StasKernel) kernel = stas_kernel_new (STAS_FABRICS (fake));
  Owner a = { 0 };
  g_autofree char *dev = NULL;

  n_signals = 0;
  g_assert_true (stas_kernel_start (kernel, &error));
  g_signal_connect (kernel, "device-event", G_CALLBACK (on_device_event), NULL);
  dev = g_strdup (add_device (fake, "192.168.1.20"));
  flush ();
  stas_kernel_claim (kernel, dev, &a);
  stas_fake_fabrics_emit_aen (fake, dev, 0x70f002);
  flush ();
  g_assert_cmpuint (a.calls, ==, 0);
  g_assert_cmpuint (n_signals, ==, 2);
  g_assert_true (stas_kernel_get_owner (kernel, dev) == &a);
  stas_kernel_stop (kernel);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kernel-events/routing", test_routing);
  g_test_add_func ("/kernel-events/claim-without-func", test_claim_without_func);
  return g_test_run ();
}
