/* test-util.h — helpers shared by the in-process tests. */
#pragma once

#include "stas-log.h"

G_BEGIN_DECLS

/* Asserts that @diags holds exactly @expected ("W text", "I text", "E text", "D text"; a
 * NULL-terminated list), in order, and that no diagnostic shows a secret value ("DHHC-1:0..."). */
void stas_test_assert_diags (GPtrArray *diags, const char *const *expected);

#define ASSERT_DIAGS(diags, ...)                                                                   \
  stas_test_assert_diags ((diags), (const char *const[]){ __VA_ARGS__, NULL })

#define ASSERT_NO_DIAGS(diags) stas_test_assert_diags ((diags), (const char *const[]){ NULL })

G_END_DECLS
