// fedtee: the operator CLI. Make keys and identities, seal and open, run the simulated CA,
// make, inspect and verify attestation evidence.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"

int main(int argc, char** argv) {
  using namespace fedtee::cli;
  CLI::App app{
      "fedtee: confidential federated learning. Operator tools for keys, sealing and "
      "attestation evidence."};
  app.footer(kExitCodeHelp);
  app.require_subcommand(1);
  app.set_version_flag("--version", "fedtee 0.1.0");
  int exit_code = kExitOk;
  AddHpkeCommands(app, &exit_code);
  AddSimCaCommands(app, &exit_code);
  AddEvidenceCommands(app, &exit_code);
  AddMeasureCommand(app, &exit_code);
  AddFederationCommands(app, &exit_code);
#ifdef FEDTEE_HAVE_DATA_CMD
  AddDataCommands(app, &exit_code);
#endif
#ifdef FEDTEE_HAVE_SYNTH_CMD
  AddSynthCommands(app, &exit_code);  // data synth-fraud
#endif
#ifdef FEDTEE_HAVE_MODEL_CMD
  AddModelCommands(app, &exit_code);
#endif
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    return kExitOk;
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  return exit_code;
}
