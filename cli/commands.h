// Subcommands of the `fedtee` operator CLI. Each Add*Commands registers its subcommands on
// the app; the callbacks store the exit code in *exit_code. Errors are printed as one line
// "fedtee: <what>: <why>" on stderr.
#pragma once

#include <CLI/CLI.hpp>

#include "base/status.h"

namespace fedtee::cli {

void AddHpkeCommands(CLI::App& app, int* exit_code);
void AddSimCaCommands(CLI::App& app, int* exit_code);
void AddEvidenceCommands(CLI::App& app, int* exit_code);
void AddMeasureCommand(CLI::App& app, int* exit_code);
void AddFederationCommands(CLI::App& app, int* exit_code);  // identity, roster, log
void AddDataCommands(CLI::App& app, int* exit_code);        // data split
void AddModelCommands(CLI::App& app, int* exit_code);       // model evaluate | inspect
void AddSynthCommands(CLI::App& app, int* exit_code);       // data synth-fraud

// Prints "fedtee: <context>: <status>" to stderr and returns the exit code for it.
int Fail(const std::string& context, const Status& status);

}  // namespace fedtee::cli
