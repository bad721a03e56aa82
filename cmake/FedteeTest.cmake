# fedtee_test(NAME name SOURCES a.cc ... LIBS lib ... [LABELS unit|integration] [TIMEOUT s])
# Builds a GoogleTest executable and registers it with ctest under the given labels
# (default: unit). Tests find shared recorded data through FEDTEE_SHARED_TESTDATA and the
# built executables through FEDTEE_BIN_DIR.
function(fedtee_test)
  if(NOT FEDTEE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  set_target_properties(${T_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main Threads::Threads)
  target_compile_definitions(${T_NAME} PRIVATE
    FEDTEE_SHARED_TESTDATA="${FEDTEE_SHARED_TESTDATA}"
    FEDTEE_BIN_DIR="${CMAKE_BINARY_DIR}/bin"
    FEDTEE_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()

# fedtee_library(NAME lib [PUBLIC_DEPS ...] [PRIVATE_DEPS ...] [TEST_LIBS ...])
# One library per folder: every *.cc below the current folder except *_test.cc, *_fuzz.cc
# and *_main.cc is compiled into `lib`; every *_test.cc becomes a unit test executable
# linked against `lib` (and TEST_LIBS). Tests that need their own labels are added with
# fedtee_test() in the folder's CMakeLists instead, and listed in EXCLUDE_TESTS.
function(fedtee_library)
  cmake_parse_arguments(L "" "NAME" "PUBLIC_DEPS;PRIVATE_DEPS;TEST_LIBS;EXCLUDE_TESTS" ${ARGN})
  file(GLOB_RECURSE all_cc CONFIGURE_DEPENDS RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}
       ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  set(srcs)
  set(tests)
  foreach(f ${all_cc})
    if(f MATCHES "_test\\.cc$")
      list(APPEND tests ${f})
    elseif(NOT f MATCHES "(_fuzz|_main)\\.cc$")
      list(APPEND srcs ${f})
    endif()
  endforeach()
  add_library(${L_NAME} ${srcs})
  target_include_directories(${L_NAME} PUBLIC ${CMAKE_SOURCE_DIR})
  target_link_libraries(${L_NAME} PUBLIC ${L_PUBLIC_DEPS} PRIVATE ${L_PRIVATE_DEPS})
  foreach(t ${tests})
    get_filename_component(tname ${t} NAME_WE)
    if(tname IN_LIST L_EXCLUDE_TESTS)
      continue()
    endif()
    fedtee_test(NAME ${tname} SOURCES ${t} LIBS ${L_NAME} ${L_TEST_LIBS} ${L_PRIVATE_DEPS})
  endforeach()
endfunction()
