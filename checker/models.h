// Factories of the individual models (one file each); use MakeModel in model.h instead.
#pragma once

#include <memory>

#include "checker/model.h"

namespace checker {

// register: read / write; with_cas adds cas ([expected new]) for cas-register.
std::unique_ptr<Model> MakeRegisterModel(const ModelOptions& options, bool with_cas);
std::unique_ptr<Model> MakeKvModel(const ModelOptions& options);
std::unique_ptr<Model> MakeMultiRegisterModel(const ModelOptions& options);
std::unique_ptr<Model> MakeMutexModel(const ModelOptions& options);

}  // namespace checker
