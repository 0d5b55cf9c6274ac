/* avahi-txt-update.c — publishes one service through the real avahi-daemon, like
 * `avahi-publish -s`, and replaces its TXT records in place on SIGUSR1
 * (avahi_entry_group_update_service_txt_strlst). avahi-publish cannot do that: publishing
 * the same name again means withdrawing the first one, which browsers see as a removal and a
 * new service, never as an update of a known one. Run by
 * test/vm/scenarios/zeroconf-bad-txt.sh in the VM.
 *
 * Usage: avahi-txt-update NAME TYPE PORT [TXT...] -- [NEW-TXT...]
 * Prints "Established under name 'NAME'" once the service is published and "Updated" after
 * each update; exits 0 on SIGTERM or SIGINT, 1 on any failure. */
#include <avahi-client/client.h>
#include <avahi-client/publish.h>
#include <avahi-common/error.h>
#include <avahi-common/strlst.h>
#include <avahi-glib/glib-watch.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  GMainLoop *loop;
  const char *name;
  const char *type;
  guint16 port;
  AvahiStringList *txt;
  AvahiStringList *new_txt;
  AvahiEntryGroup *group; /* owned by the client */
  int status;
} Tool;

static void
fail (Tool *t, const char *what, int error)
{
  fprintf (stderr, "%s: %s\n", what, avahi_strerror (error));
  t->status = 1;
  g_main_loop_quit (t->loop);
}

static void
on_group (AvahiEntryGroup *group, AvahiEntryGroupState state, void *data)
{
  Tool *t = data;

  if (state == AVAHI_ENTRY_GROUP_ESTABLISHED)
    {
      printf ("Established under name '%s'\n", t->name);
      fflush (stdout);
    }
  else if (state == AVAHI_ENTRY_GROUP_COLLISION || state == AVAHI_ENTRY_GROUP_FAILURE)
    fail (t, "entry group", avahi_client_errno (avahi_entry_group_get_client (group)));
}

static void
on_client (AvahiClient *client, AvahiClientState state, void *data)
{
  Tool *t = data;
  int rc;

  if (state == AVAHI_CLIENT_FAILURE)
    {
      fail (t, "client", avahi_client_errno (client));
      return;
    }
  if (state != AVAHI_CLIENT_S_RUNNING || t->group != NULL)
    return;
  t->group = avahi_entry_group_new (client, on_group, t);
  if (t->group == NULL)
    {
      fail (t, "entry group", avahi_client_errno (client));
      return;
    }
  rc = avahi_entry_group_add_service_strlst (t->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC, 0,
                                             t->name, t->type, NULL, NULL, t->port, t->txt);
  if (rc >= 0)
    rc = avahi_entry_group_commit (t->group);
  if (rc < 0)
    fail (t, "publish", rc);
}

static gboolean
on_update (gpointer data)
{
  Tool *t = data;
  int rc;

  if (t->group == NULL)
    {
      fprintf (stderr, "update: not published yet\n");
      return G_SOURCE_CONTINUE;
    }
  rc = avahi_entry_group_update_service_txt_strlst (t->group, AVAHI_IF_UNSPEC, AVAHI_PROTO_UNSPEC,
                                                    0, t->name, t->type, NULL, t->new_txt);
  if (rc < 0)
    fail (t, "update", rc);
  else
    {
      printf ("Updated\n");
      fflush (stdout);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit (gpointer data)
{
  Tool *t = data;

  g_main_loop_quit (t->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  Tool t = { 0 };
  AvahiGLibPoll *poll;
  AvahiClient *client;
  char *end = NULL;
  unsigned long port;
  int error = 0;
  int i;

  if (argc < 4)
    {
      fprintf (stderr, "usage: %s NAME TYPE PORT [TXT...] -- [NEW-TXT...]\n", argv[0]);
      return 1;
    }
  port = strtoul (argv[3], &end, 10);
  if (*argv[3] == '\0' || *end != '\0' || port > 65535)
    {
      fprintf (stderr, "invalid port %s\n", argv[3]);
      return 1;
    }
  t.name = argv[1];
  t.type = argv[2];
  t.port = (guint16) port;
  /* built like avahi-publish builds its TXT */
  for (i = 4; i < argc && strcmp (argv[i], "--") != 0; i++)
    t.txt = avahi_string_list_add (t.txt, argv[i]);
  for (i++; i < argc; i++)
    t.new_txt = avahi_string_list_add (t.new_txt, argv[i]);

  t.loop = g_main_loop_new (NULL, FALSE);
  poll = avahi_glib_poll_new (NULL, G_PRIORITY_DEFAULT);
  g_unix_signal_add (SIGUSR1, on_update, &t);
  g_unix_signal_add (SIGTERM, on_quit, &t);
  g_unix_signal_add (SIGINT, on_quit, &t);
  client = avahi_client_new (avahi_glib_poll_get (poll), 0, on_client, &t, &error);
  if (client == NULL)
    {
      fprintf (stderr, "client: %s\n", avahi_strerror (error));
      t.status = 1;
    }
  else if (t.status == 0)
    g_main_loop_run (t.loop);

  if (client != NULL)
    avahi_client_free (client);
  avahi_glib_poll_free (poll);
  avahi_string_list_free (t.txt);
  avahi_string_list_free (t.new_txt);
  g_main_loop_unref (t.loop);
  return t.status;
}
